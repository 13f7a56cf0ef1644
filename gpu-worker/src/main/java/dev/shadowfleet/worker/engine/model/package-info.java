/** Model cards, the model registry and cache, sequential networks and TorchScript classifiers. */
package dev.shadowfleet.worker.engine.model;
