/**
 * Datasets: the idx reader, MNIST and its fetcher, CIFAR-10 (binary batches, image folders), any image folder
 * ({@link io.ispasp.data.ImageTree}: flat and unlabelled, or one folder per class; any image sizes, resized and
 * centre-cropped, ImageNet normalisation), normalisations and augmentation.
 */
package io.ispasp.data;
