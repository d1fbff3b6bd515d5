package io.ispasp.nn;

import io.ispasp.job.TensorCalibration;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** Random calibration samples and labels for a network's input, seeded. */
public final class NetCalibration {
    private NetCalibration() {}

    public static TensorCalibration of(Architecture arch, int n, long seed) {
        try (PointerScope scope = new PointerScope()) { // the calibration keeps its own references
            torch.manual_seed(seed);
            return new TensorCalibration(NetFixtures.inputs(arch, n, seed),
                    torch.randint(arch.classes(), new long[] {n}, new TensorOptions(torch.ScalarType.Long)));
        }
    }
}
