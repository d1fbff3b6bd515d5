package io.ispasp.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import io.ispasp.nn.Network;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples a Java developer copies compile against the current API, and the service example runs. */
class ExamplesTest {
    @TempDir
    Path dir;

    @Test
    void examplesCompileAndTheServiceExamplePrunesItsDemoModel() throws Exception {
        TorchRuntime.init();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-d", dir.toString(), "-cp", System.getProperty("java.class.path")));
        try (var files = Files.list(Path.of("examples/java"))) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, javac.run(null, null, err, args.toArray(new String[0])), err.toString());

        Path out = dir.resolve("pruned.pt");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            loader.loadClass("PruneInAService").getMethod("main", String[].class)
                    .invoke(null, (Object) new String[] {"", out.toString(), "0.8"});
        }
        try (Network m = ModelFile.load(out)) {
            assertTrue(m.params() < 701_466, "smaller than the demo ResNet18-CIFAR x0.25: " + m.params());
        }
    }
}
