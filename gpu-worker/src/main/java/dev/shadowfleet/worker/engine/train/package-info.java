/** Training of the bundled models: noise-augmented base classifiers and IBP-trained sequential networks. */
package dev.shadowfleet.worker.engine.train;
