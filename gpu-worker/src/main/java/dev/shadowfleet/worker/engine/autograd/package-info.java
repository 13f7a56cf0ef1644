/** Helpers for computations that DJL autograd differentiates. */
package dev.shadowfleet.worker.engine.autograd;
