import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.ispasp.api.CalibrationData;
import io.ispasp.core.Method;
import io.ispasp.api.PruningJob;
import io.ispasp.api.PruningResult;
import io.ispasp.modelfile.ModelFile;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Architectures;

/**
 * Pruning inside a Java service: a job on a worker thread, progress as it goes, a deadline that cancels it,
 * the pruned model written as TorchScript for Python or libtorch.
 *
 * <pre>
 *   examples/run.sh PruneInAService [MODEL.pt [OUT.pt [FLOPS_TARGET]]]     (MODEL "" = the demo model)
 * </pre>
 * MODEL is a TorchScript file (torchvision resnet18/34 or mobilenet_v2 scripted in Python, or an engine
 * export); without one, a randomly initialised ResNet18-CIFAR (width 0.25) stands in. The calibration images
 * here are random: a service would pass a few hundred of its own inputs, normalised as in training.
 */
public final class PruneInAService {
    public static void main(String[] args) throws Exception {
        Path model = args.length > 0 && !args[0].isEmpty() ? Path.of(args[0]) : demoModel();
        Path out = Path.of(args.length > 1 ? args[1] : "pruned.pt");
        double flopsTarget = args.length > 2 ? Double.parseDouble(args[2]) : 0.7;
        int side = 32; // the size the model will see in production; FLOPs are counted at this size

        ExecutorService worker = Executors.newSingleThreadExecutor();
        try (PruningJob job = PruningJob.builder()
                .model(model)
                .calibration(CalibrationData.ofArrays(randomImages(256, side), 3, side, side))
                .method(Method.ISPASP)
                .flopsTarget(flopsTarget)
                .progress(p -> System.out.printf("pruned %-12s %4d -> %-4d groups (%d/%d)%n",
                        p.unit(), p.groups(), p.kept(), p.done(), p.total()))
                .build()) {
            Future<PruningResult> running = worker.submit(job::run);
            PruningResult result;
            try {
                result = running.get(10, TimeUnit.MINUTES);
            } catch (TimeoutException e) {
                job.cancel(); // the job stops at its next checkpoint; close() below frees what it made
                throw e;
            }
            result.save(out);
            System.out.println("wrote " + out + "; params " + result.report().params() + ", FLOPs " + result.report().flops());
        } finally {
            worker.shutdownNow();
        }
    }

    private static Path demoModel() throws Exception {
        Path file = Files.createTempFile("resnet18-cifar", ".pt");
        try (Network net = Network.random(Architectures.parse("resnet18 form=cifar width=0.25 classes=10"), 42)) {
            ModelFile.save(net, file);
        }
        return file;
    }

    private static java.util.Iterator<float[]> randomImages(int n, int side) {
        Random r = new Random(1);
        List<float[]> images = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[3 * side * side];
            for (int j = 0; j < x.length; j++) x[j] = (float) r.nextGaussian();
            images.add(x);
        }
        return images.iterator();
    }
}
