package io.ispasp.core;

/** Where the statistics pass and the i-SpaSP loop run. */
public enum Device implements CliName {
    /** CUDA when a usable GPU, driver and the CUDA library are present, else the CPU kernels. */
    AUTO("auto"),
    /** The C++ CPU kernels. */
    CPU("cpu"),
    /** The CUDA kernels; without a usable GPU the run is refused with the reason (driver, library, devices). */
    CUDA("cuda");

    private final String cliName;

    Device(String cliName) { this.cliName = cliName; }

    @Override
    public String cliName() { return cliName; }

    public static Device parse(String s) {
        return CliName.parse(Device.class, s, "device");
    }

    @Override
    public String toString() { return cliName; }
}
