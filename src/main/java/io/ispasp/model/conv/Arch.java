package io.ispasp.model.conv;

import io.ispasp.core.CliName;

/** The conv-net architectures the engine defines (torchvision's module and parameter names). */
public enum Arch implements CliName {
    RESNET18("resnet18"),
    RESNET34("resnet34"),
    MOBILENETV2("mobilenetv2");

    private final String cliName;

    Arch(String cliName) { this.cliName = cliName; }

    @Override
    public String cliName() { return cliName; }

    public static Arch parse(String text) { return CliName.parse(Arch.class, text, "architecture"); }

    /** BasicBlocks per stage (ResNets only). */
    int[] stageDepths() {
        return switch (this) {
            case RESNET18 -> new int[] {2, 2, 2, 2};
            case RESNET34 -> new int[] {3, 4, 6, 3};
            case MOBILENETV2 -> throw new IllegalStateException("not a ResNet");
        };
    }

    public boolean isResNet() { return this != MOBILENETV2; }
}
