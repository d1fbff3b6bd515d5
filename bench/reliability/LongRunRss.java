import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.ispasp.api.CalibrationData;
import io.ispasp.api.PruningJob;
import io.ispasp.core.Method;
import io.ispasp.nn.Network;
import io.ispasp.nn.arch.Mlp;
import io.ispasp.runtime.NativeHeap;

/**
 * Many small pruning jobs in one JVM (a 784-256-10 MLP, 512 calibration rows, i-SpaSP and the baselines in turn), printing
 * every 50 jobs the resident size, glibc's in-use native heap and the Java heap. Run by bench/reliability/rss.sh.
 */
public class LongRunRss {
    static long rss() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("\\D", "")) / 1024;
        return -1;
    }
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]);
        Method[] methods = {Method.ISPASP, Method.MAGNITUDE, Method.ACTIVATION, Method.RANDOM};
        SplittableRandom r = new SplittableRandom(1);
        List<float[]> xs = new ArrayList<>();
        for (int i = 0; i < 512; i++) { float[] x = new float[784]; for (int j = 0; j < 784; j++) x[j] = (float) r.nextDouble(); xs.add(x); }
        for (int i = 1; i <= n; i++) {
            try (Network net = Network.random(Mlp.relu(784, 256, 10), i);
                 PruningJob job = PruningJob.builder().model(net).calibration(CalibrationData.ofArrays(xs.iterator(), 784)).method(methods[i % 4]).ratio(0.5).build()) {
                job.run();
            }
            if (i % 50 == 0) {
                Runtime rt = Runtime.getRuntime();
                System.out.printf("jobs %d: RSS %d MB, native heap %.0f MB, java heap committed %d MB used %d MB%n", i, rss(), NativeHeap.inUse() / 1e6,
                        rt.totalMemory() >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20);
            }
        }
    }
}
