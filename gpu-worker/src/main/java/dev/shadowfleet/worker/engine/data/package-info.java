/** Datasets addressed by URI: Fashion-MNIST, CIFAR-10 binary batches, image folders, colourised Fashion-MNIST. */
package dev.shadowfleet.worker.engine.data;
