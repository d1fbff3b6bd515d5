package io.ispasp.core;

import java.util.Arrays;
import java.util.stream.Collectors;

/** An option value with a command-line spelling ("signed-sum", "ispasp", ...). */
public interface CliName {
    String cliName();

    /** The constant of {@code type} spelled {@code text} (case-insensitive), or a one-line error listing the choices. */
    static <E extends Enum<E> & CliName> E parse(Class<E> type, String text, String what) {
        for (E e : type.getEnumConstants()) if (e.cliName().equalsIgnoreCase(text)) return e;
        String choices = Arrays.stream(type.getEnumConstants()).map(CliName::cliName).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("unknown " + what + " '" + text + "' (expected one of " + choices + ")");
    }
}
