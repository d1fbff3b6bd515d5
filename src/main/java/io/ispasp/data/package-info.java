/**
 * Datasets: the idx reader, MNIST and its fetcher, CIFAR-10 (binary batches, image folders) and augmentation.
 */
package io.ispasp.data;
