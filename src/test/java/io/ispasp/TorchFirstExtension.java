package io.ispasp;

import io.ispasp.runtime.TorchRuntime;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test class (autodetected, see junit-platform.properties): loads libtorch the safe way
 * before any test can touch a pytorch class, whatever order the classes run in. A first, lazy load from a cold
 * ~/.javacpp cache crashes the JVM (docs/platform.md, section "Cold native cache").
 */
public final class TorchFirstExtension implements BeforeAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        TorchRuntime.init();
    }
}
