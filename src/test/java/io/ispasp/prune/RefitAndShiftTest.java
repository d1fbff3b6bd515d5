package io.ispasp.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import io.ispasp.core.PathChoice;
import io.ispasp.core.PruneOptions;
import io.ispasp.core.Score;
import io.ispasp.engine.Tensors;
import io.ispasp.job.TensorCalibration;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.NetCalibration;
import io.ispasp.nn.NetFixtures;
import io.ispasp.nn.Network;
import io.ispasp.nn.Unit;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.nn.arch.Mlp;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The refit and the bias compensation on every kind of unit (B a Linear with a bias, a 1x1 conv + BN, a 3x3 conv
 * with or without BN, stride 1 or 2, attention heads of several columns): the least-squares fit is the float64 least-squares optimum on features built
 * here by slicing, on both paths; the residual the report gives is the pruned network's; and the shift keeps the
 * unit's mean output on the calibration data.
 */
class RefitAndShiftTest {
    static Stream<Architecture> architectures() {
        return Stream.of(Architectures.parse("resnet50 form=cifar width=0.125 classes=10"),
                Architectures.parse("vgg13 form=cifar width=0.125 classes=10"),
                Architectures.parse("mobilenet_v2 form=cifar width=0.25 classes=10"),
                Architectures.parse("resnet18 form=cifar width=0.125 classes=10"),
                Mlp.relu(20, 16, 12, 5),
                // attention heads (4 of 4 columns; B = the attention output dense, with a bias) and an FFN over tokens
                Architectures.parse("bert layers=1 hidden=16 heads=4 intermediate=24 vocab=50 positions=40 types=2 eps=1e-12"));
    }

    static Stream<Architecture> determinedArchitectures() {
        return architectures().filter(a -> !a.name().startsWith("mobilenet"));
    }

    private static PruneOptions options() {
        return PruneOptions.builder().score(Score.CORRELATION).iterations(6).batchSize(5).device(io.ispasp.core.Device.CPU).build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void theFitIsTheFloat64LeastSquaresOptimum(Architecture arch) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard(); Network net = NetFixtures.randomized(arch, 3);
             TensorCalibration calib = NetCalibration.of(arch, 10, 7)) {
            for (Unit unit : EveryUnitKindTest.unitKinds(net)) {
                UnitData data = new UnitData(net, net, unit.index(), Math.max(1, unit.groups() / 4), calib, options());
                int[] support = new SplittableRandom(unit.index()).ints(0, unit.groups()).distinct()
                        .limit(Math.max(1, Math.min(3, unit.groups() / 3))).sorted().toArray();
                List<PathChoice> paths = new ArrayList<>(List.of(PathChoice.DIRECT));
                if (UnitStatistics.unsupported(data) == null) paths.add(PathChoice.STATISTICS);
                for (PathChoice path : paths) {
                    try (ScoreOracle oracle = IspaspSelector.open(data, path)) {
                        ScoreOracle.KeptStatistics k = oracle.kept(support);
                        for (boolean intercept : new boolean[] {false, true}) {
                            String what = arch.name() + " " + unit.name() + " " + path + " intercept=" + intercept;
                            Refit.Result fit = Refit.solve(k, 1e-10, intercept, unit.taps());
                            double[] reference = leastSquares(data, support, intercept);
                            assertEquals(reference[1], k.targetSquaredNorm(), 1e-5 * reference[1], what + " ||z||^2");
                            assertEquals(reference[0], fit.residual(), 1e-5 * reference[1], what + " residual");
                            assertEquals(intercept, fit.intercept() != null, what);
                        }
                    }
                }
            }
        }
    }

    /**
     * The least-squares cut on every group needs no solve: where the features determine the fit (a well-conditioned
     * Gram), the ridge fit of the CURRENT target on all groups is B's weight, so the energies from B's weight and the groups'
     * own Gram blocks equal the solved ones; and both paths give the same blocks. (Not on the randomized MobileNetV2:
     * ReLU6 saturates there and every unit's features are collinear, so the fit is not unique.)
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("determinedArchitectures")
    void theEnergiesOnEveryGroupAreThoseOfBsOwnWeight(Architecture arch) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard(); Network net = NetFixtures.randomized(arch, 4);
             TensorCalibration calib = NetCalibration.of(arch, arch instanceof Mlp ? 200 : 10, 9)) {
            int checked = 0;
            for (Unit unit : EveryUnitKindTest.unitKinds(net)) {
                UnitData data = new UnitData(net, net, unit.index(), Math.max(1, unit.groups() / 4), calib, options());
                int[] all = java.util.stream.IntStream.range(0, unit.groups()).toArray();
                double[] w = Tensors.doubles(unit.bWeight().reshape(unit.outputs(), -1));
                try (ScoreOracle direct = IspaspSelector.open(data, PathChoice.DIRECT)) {
                    ScoreOracle.KeptStatistics k = direct.kept(all);
                    ScoreOracle.GroupGrams gg = direct.groupGrams();
                    if (UnitStatistics.unsupported(data) == null) {
                        try (ScoreOracle stats = IspaspSelector.open(data, PathChoice.STATISTICS)) {
                            ScoreOracle.GroupGrams gs = stats.groupGrams();
                            org.junit.jupiter.api.Assertions.assertArrayEquals(gg.blocks(), gs.blocks(), 1e-4 * EveryUnitKindTest.max(gg.blocks()), unit.name() + " blocks");
                            org.junit.jupiter.api.Assertions.assertArrayEquals(gg.featureSums(), gs.featureSums(), 1e-4 * EveryUnitKindTest.max(gg.featureSums()), unit.name() + " sums");
                        }
                    }
                    for (boolean intercept : new boolean[] {false, true}) {
                        if (!wellConditioned(k, intercept)) continue;   // many fits reproduce z: the solved one need not be W
                        double[] solved = Refit.solve(k, 1e-12, intercept, unit.taps()).energy();
                        double[] fromW = Refit.energies(gg, w, unit.outputs(), intercept);
                        org.junit.jupiter.api.Assertions.assertArrayEquals(solved, fromW, 1e-5 * EveryUnitKindTest.max(solved),
                                arch.name() + " " + unit.name() + " intercept=" + intercept);
                        checked++;
                    }
                }
            }
            assertTrue(checked > 0, "no unit with a well-conditioned Gram");
        }
    }

    /** Whether the (centred) Gram of {@code k} has a condition number below 1e6. */
    private static boolean wellConditioned(ScoreOracle.KeptStatistics k, boolean centred) {
        try (PointerScope s = new PointerScope()) {
            Tensor gram = Tensors.of(k.gram(), k.size(), k.size());
            if (centred) {
                Tensor f = Tensors.of(k.featureSums(), k.size(), 1);
                gram = gram.sub(f.mm(f.t()).div(new org.bytedeco.pytorch.Scalar((double) k.rows())));
            }
            double[] ev = Tensors.doubles(torch.linalg_eigvalsh(gram));
            return ev[0] > 1e-6 * ev[ev.length - 1];
        }
    }

    /**
     * {min over W (and b) of sum ||z - W u - b||^2, ||z||^2} in float64, with u the features B reads from the support
     * at each output position, cut out of the zero-padded H by strided slices (one per tap), and z the target.
     */
    private static double[] leastSquares(UnitData data, int[] support, boolean intercept) {
        try (PointerScope s = new PointerScope()) {
            int n = data.calibration().size();
            Tensor h = Tensors.toDouble(data.hidden(data.input(0, n)));
            Tensor z = Tensors.toDouble(data.target(0, n, data.hidden(data.input(0, n))));
            // a group's columns: one, or a head's headSize columns (group-major)
            int cols = data.unit().columns();
            Tensor hS = data.convolutional() ? h.index_select(1, Tensors.indices(support))
                    : h.reshape(h.size(0), -1, cols).index_select(1, Tensors.indices(support)).reshape(h.size(0), -1);
            Tensor u, zr;
            if (!data.convolutional()) {
                u = hS;
                zr = z;
            } else {
                int k = data.unit().kernel(), pad = data.unit().padding(), st = data.stride();
                long ho = z.size(2), wo = z.size(3);
                Tensor p = torch.constant_pad_nd(hS, new long[] {pad, pad, pad, pad});
                List<Tensor> taps = new ArrayList<>();
                for (int dy = 0; dy < k; dy++) {
                    for (int dx = 0; dx < k; dx++) {
                        taps.add(p.slice(2, new org.bytedeco.pytorch.LongOptional(dy), new org.bytedeco.pytorch.LongOptional(dy + st * (ho - 1) + 1), st)
                                .slice(3, new org.bytedeco.pytorch.LongOptional(dx), new org.bytedeco.pytorch.LongOptional(dx + st * (wo - 1) + 1), st));
                    }
                }
                Tensor stacked = torch.stack(new org.bytedeco.pytorch.TensorVector(taps.toArray(new Tensor[0])), 4); // [n, s, ho, wo, taps]
                u = stacked.permute(0, 2, 3, 1, 4).reshape(-1, (long) support.length * k * k);
                zr = z.permute(0, 2, 3, 1).reshape(-1, z.size(1));
            }
            if (intercept) u = torch.cat(new org.bytedeco.pytorch.TensorVector(u, torch.ones(u.size(0), 1).to(torch.ScalarType.Double)), 1);
            Tensor x = torch.linalg_pinv(u).mm(zr);
            Tensor r = zr.sub(u.mm(x));
            return new double[] {r.mul(r).sum().item_double(), zr.mul(zr).sum().item_double()};
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void theReportedResidualIsThePrunedNetworksAndTheShiftKeepsTheMean(Architecture arch) {
        try (PointerScope s = new PointerScope(); Network dense = NetFixtures.randomized(arch, 5);
             TensorCalibration calib = NetCalibration.of(arch, 10, 2)) {
            for (Unit unit : EveryUnitKindTest.unitKinds(dense)) {
                for (boolean[] setting : new boolean[][] {{true, false}, {false, true}, {true, true}}) {
                    boolean refit = setting[0], shift = setting[1];
                    PruneOptions o = options().toBuilder().refit(refit).biasCompensation(shift).build();
                    String what = arch.name() + " " + unit.name() + " refit=" + refit + " shift=" + shift;
                    var out = Pruner.prune(dense, Layout.parse("units:" + unit.name() + "=0.3", dense, null), calib, o,
                            new IspaspSelector(), Pruner.AfterUnit.NONE);
                    try (Network pruned = out.model(); NoGradGuard g = new NoGradGuard()) {
                        var report = out.units().get(0);
                        assertNotNull(report.residualAfter(), what);
                        assertTrue(report.residualAfter() <= report.residualKept() * (1 + 1e-6), what + ": " + report.residualAfter() + " > " + report.residualKept());
                        Tensor diff = outputDifference(dense, pruned, unit.index(), calib);
                        double actual = diff.mul(diff).sum().item_double();
                        assertEquals(actual, report.residualAfter(), 2e-4 * report.targetSquaredNorm(), what + " residual");
                        if (shift) {
                            // the mean of B's output per channel over the calibration rows is the dense one
                            Tensor meanDiff = diff.mean(new long[] {0}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
                            double scale = Math.sqrt(report.targetSquaredNorm() / diff.size(0) / diff.size(1));
                            double worst = meanDiff.abs().max().item_double();
                            assertTrue(worst < 1e-4 * scale, what + ": mean output moved by " + worst + " (output scale " + scale + ")");
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void withoutRefitAndShiftBStaysAsItWas(Architecture arch) {
        try (PointerScope s = new PointerScope(); Network dense = NetFixtures.randomized(arch, 8);
             TensorCalibration calib = NetCalibration.of(arch, 6, 2)) {
            Unit unit = dense.unit(0);
            PruneOptions o = options().toBuilder().refit(false).biasCompensation(false).build();
            Selection sel = new IspaspSelector().select(new UnitData(dense, dense, 0, Math.max(1, unit.groups() / 3), calib, o));
            assertNull(sel.nextWeight());
            assertNull(sel.shift());
            assertNull(sel.residualAfter());
        }
    }

    /** B's output (with its shift) of the dense network minus the pruned one's, as rows [positions, out], float64. */
    static Tensor outputDifference(Network dense, Network pruned, int unit, TensorCalibration calib) {
        Tensor x = calib.inputs(0, calib.size());
        Tensor d = bOutput(dense.unit(unit), x).sub(bOutput(pruned.unit(unit), x)).to(torch.ScalarType.Double);
        return d.dim() == 2 ? d : d.permute(0, 2, 3, 1).reshape(-1, d.size(1));
    }

    private static Tensor bOutput(Unit u, Tensor x) {
        Tensor y = u.bLinear(u.hidden(u.input(x)));
        return y.add(u.bShift().reshape(y.dim() == 4 ? new long[] {1, -1, 1, 1} : new long[] {1, -1}));
    }
}
