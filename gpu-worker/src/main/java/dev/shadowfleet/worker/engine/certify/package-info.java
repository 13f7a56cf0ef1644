/** Certifiers: randomized smoothing (CERTIFY / PREDICT) and IBP / CROWN-IBP margin bounds. */
package dev.shadowfleet.worker.engine.certify;
