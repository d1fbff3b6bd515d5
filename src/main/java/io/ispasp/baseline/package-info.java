/**
 * The baselines beside i-SpaSP: greedy forward selection (GFS), magnitude, activation mass and random, for MLP and
 * conv units.
 */
package io.ispasp.baseline;
