package io.ispasp.nn.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ispasp.engine.Tensors;
import io.ispasp.model.torchscript.PyTorch;
import io.ispasp.nn.Architecture;
import io.ispasp.nn.Complexity;
import io.ispasp.nn.Network;
import io.ispasp.nn.Surgery;
import io.ispasp.nn.arch.Architectures;
import io.ispasp.runtime.TorchRuntime;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NetworkTorchScript} against the real PyTorch and torchvision of this machine ({@link PyTorch}; skipped
 * without them unless ISPASP_REQUIRE_PYTORCH=1). Models scripted in Python (torchvision's classes at small widths,
 * MLPs with several activations, BatchNorm1d, Dropout and Flatten) import with Python's outputs, and the engine's
 * export of each, pruned, loads in Python with the engine's outputs and torchvision's state-dict names (relative
 * 1e-4). Parameter counts of every torchvision model equal the engine's, counted from shapes alone. Python runs
 * three times in all.
 */
class NetworkPyTorchTest {
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    @BeforeAll
    static void init() {
        PyTorch.require();
        TorchRuntime.init();
    }

    /** A model made in Python: tool arguments (Python keywords), the architecture the engine must find, input shape. */
    private record Case(String name, String kwargs, String expected, long[] shape) {}

    private static final List<Case> CASES = List.of(
            new Case("resnet50", "arch='resnet50', width=0.25, classes=10", "resnet50 form=imagenet width=0.25 classes=10", new long[] {2, 3, 64, 64}),
            new Case("wide", "arch='wide_resnet50_2', width=0.125, form='cifar', classes=10",
                    "wide_resnet50_2 form=cifar width=0.125 classes=10", new long[] {2, 3, 32, 32}),
            new Case("vgg11_bn", "arch='vgg11_bn', width=0.125, form='cifar', classes=10", "vgg11_bn form=cifar width=0.125 classes=10",
                    new long[] {2, 3, 32, 32}),
            new Case("vgg11", "arch='vgg11', width=0.125, form='cifar', classes=7", "vgg11 form=cifar width=0.125 classes=7",
                    new long[] {2, 3, 32, 32}),
            new Case("mobilenet_v2", "arch='mobilenet_v2', width=0.25, classes=10", "mobilenet_v2 form=imagenet width=0.25 classes=10",
                    new long[] {2, 3, 64, 64}),
            new Case("mlp_gelu", "arch='mlp', sizes='20,16,12,5', act='gelu', batchnorm=True, dropout=0.1, flatten=True",
                    "mlp sizes=20,16,12,5 activation=gelu batchnorm=true dropout=0.1 flatten=true", new long[] {4, 20}),
            new Case("mlp_tanh", "arch='mlp', sizes='20,9,7,4', act='tanh', dropout=0.3",
                    "mlp sizes=20,9,7,4 activation=tanh dropout=0.3", new long[] {4, 20}),
            new Case("mlp_leaky", "arch='mlp', sizes='20,9,4', act='leaky_relu:0.2', batchnorm=True",
                    "mlp sizes=20,9,4 activation=leaky_relu slope=0.2 batchnorm=true", new long[] {4, 20}),
            new Case("mlp_relu6", "arch='mlp', sizes='20,9,4', act='relu6'", "mlp sizes=20,9,4 activation=relu6", new long[] {4, 20}),
            new Case("mlp_silu", "arch='mlp', sizes='20,9,4', act='silu'", "mlp sizes=20,9,4 activation=silu", new long[] {4, 20}));

    @Test
    void pythonModelsImportAndPrunedExportsRunInPython() throws IOException {
        StringBuilder make = new StringBuilder(prelude())
                .append("keys = {}\n")
                .append("for name, kw, shape in [");
        for (Case c : CASES) {
            make.append(String.format(Locale.ROOT, "('%s', dict(%s), %s), ", c.name(), c.kwargs(), shapeList(c.shape())));
        }
        make.append("]:\n")
                .append("    model = torch.jit.script(t.build(**kw))\n")
                .append("    torch.jit.save(model, os.path.join(d, name + '.pt'))\n")
                .append("    g = torch.Generator().manual_seed(5)\n")
                .append("    x = torch.randn(shape, generator=g)\n")
                .append("    x.numpy().astype('<f4').tofile(os.path.join(d, name + '.x.f32'))\n")
                .append("    with torch.no_grad():\n")
                .append("        model(x).numpy().astype('<f4').tofile(os.path.join(d, name + '.y.f32'))\n")
                .append("    keys[name] = list(model.state_dict().keys())\n")
                .append("print(json.dumps(keys))\n");
        JsonNode keys = lastJson(PyTorch.script(make.toString()));

        List<String> report = new ArrayList<>();
        for (Case c : CASES) {
            float[] x = PyTorch.readFloats(dir.resolve(c.name() + ".x.f32"));
            float[] y = PyTorch.readFloats(dir.resolve(c.name() + ".y.f32"));
            try (Network net = NetworkTorchScript.read(dir.resolve(c.name() + ".pt")); PointerScope scope = new PointerScope()) {
                assertEquals(c.expected(), net.architecture().describe(), c.name());
                double d = relative(y, Tensors.floats(net.forward(Tensors.of(x, c.shape()))));
                report.add(String.format(Locale.ROOT, "%s import %.2g", c.name(), d));
                assertTrue(d < TOLERANCE, c.name() + ": import differs by " + d);
                int[] units = {0, net.units().size() - 1};
                Network pruned = net;
                for (int u : units) {
                    int[] kept = new int[(pruned.unit(u).groups() + 1) / 2];
                    for (int i = 0; i < kept.length; i++) kept[i] = 2 * i + (i % 2);
                    if (kept[kept.length - 1] >= pruned.unit(u).groups()) kept[kept.length - 1] = pruned.unit(u).groups() - 1;
                    Network next = Surgery.keep(pruned, u, kept);
                    if (pruned != net) pruned.close();
                    pruned = next;
                }
                try (Network p = pruned) {
                    NetworkTorchScript.write(p, dir.resolve(c.name() + ".pruned.pt"));
                    PyTorch.writeFloats(dir.resolve(c.name() + ".py.f32"), Tensors.floats(p.forward(Tensors.of(x, c.shape()))));
                }
            }
        }

        StringBuilder run = new StringBuilder(prelude()).append("keys = {}\nfor name, shape in [");
        for (Case c : CASES) run.append(String.format(Locale.ROOT, "('%s', %s), ", c.name(), shapeList(c.shape())));
        run.append("]:\n")
                .append("    model = torch.jit.load(os.path.join(d, name + '.pruned.pt'))\n")
                .append("    model.eval()\n")
                .append("    x = torch.from_numpy(np.fromfile(os.path.join(d, name + '.x.f32'), dtype='<f4').reshape(shape))\n")
                .append("    with torch.no_grad():\n")
                .append("        model(x).numpy().astype('<f4').tofile(os.path.join(d, name + '.pyout.f32'))\n")
                .append("    keys[name] = list(model.state_dict().keys())\n")
                .append("print(json.dumps(keys))\n");
        JsonNode prunedKeys = lastJson(PyTorch.script(run.toString()));
        for (Case c : CASES) {
            assertEquals(keys.get(c.name()), prunedKeys.get(c.name()), c.name() + ": state-dict names");
            float[] engine = PyTorch.readFloats(dir.resolve(c.name() + ".py.f32"));
            float[] python = PyTorch.readFloats(dir.resolve(c.name() + ".pyout.f32"));
            double d = relative(engine, python);
            report.add(String.format(Locale.ROOT, "%s export %.2g", c.name(), d));
            assertTrue(d < TOLERANCE, c.name() + ": pruned export differs in Python by " + d);
        }
        System.out.println("interop relative differences: " + String.join(", ", report));
    }

    @Test
    void parameterCountsEqualTorchvisions() throws IOException {
        List<String> names = new ArrayList<>(Architectures.names());
        names.remove("mlp");
        StringBuilder py = new StringBuilder(prelude())
                .append("for f in ('kaiming_normal_', 'kaiming_uniform_', 'normal_', 'uniform_', 'constant_', 'zeros_', 'ones_', 'trunc_normal_'):\n")
                .append("    setattr(torch.nn.init, f, lambda t, *a, **k: t)\n")
                .append("for c in (torch.nn.Conv2d, torch.nn.Linear, torch.nn.BatchNorm2d):\n")
                .append("    c.reset_parameters = lambda self: None\n")
                .append("counts = {}\n")
                .append("for name in [");
        for (String n : names) py.append('\'').append(n).append("', ");
        py.append("]:\n")
                .append("    for k in (1000, 10):\n")
                .append("        m = getattr(torchvision.models, name)(num_classes=k)\n")
                .append("        counts[name + '/' + str(k)] = sum(p.numel() for p in m.parameters())\n")
                .append("        del m\n")
                .append("print(json.dumps(counts))\n");
        JsonNode counts = lastJson(PyTorch.script(py.toString()));
        for (String n : names) {
            for (int k : new int[] {1000, 10}) {
                Architecture a = Architectures.image(n, false, 1.0, k);
                long engine = Complexity.of(a.blueprint().program(), a.blueprint().shapes(), a.inputShape(224)).params();
                assertEquals(counts.get(n + "/" + k).asLong(), engine, n + " with " + k + " classes");
            }
        }
    }

    private String prelude() {
        return "import json, os, sys\nimport numpy as np\nimport torch, torchvision\n"
                + "sys.path.insert(0, " + quote(Path.of("examples/python").toAbsolutePath().toString()) + ")\n"
                + "import torchscript_tool as t\n"
                + "torch.set_num_threads(2)\n"
                + "d = " + quote(dir.toString()) + "\n";
    }

    private static String quote(String s) { return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"; }

    private static String shapeList(long[] shape) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) s.append(i > 0 ? ", " : "").append(shape[i]);
        return s.append(']').toString();
    }

    private static JsonNode lastJson(String out) throws IOException {
        String[] lines = out.strip().split("\n");
        return new ObjectMapper().readTree(lines[lines.length - 1]);
    }

    /** max |a - b| / max(1, max |a|). */
    private static double relative(float[] a, float[] b) {
        assertEquals(a.length, b.length, "output sizes");
        double scale = 1, diff = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(a[i]));
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        return diff / scale;
    }
}
