package io.ispasp.prune.conv;

import io.ispasp.job.TensorCalibration;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** Random calibration images and labels for tests, seeded. */
final class RandomCalibration {
    private RandomCalibration() {}

    static TensorCalibration of(int n, int size, long seed) {
        try (PointerScope scope = new PointerScope()) { // the calibration keeps its own references
            torch.manual_seed(seed);
            return new TensorCalibration(torch.randn(n, 3, size, size),
                    torch.randint(10, new long[] {n}, new TensorOptions(torch.ScalarType.Long)));
        }
    }
}
