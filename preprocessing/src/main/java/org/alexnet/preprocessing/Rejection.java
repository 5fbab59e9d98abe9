package org.alexnet.preprocessing;

import java.io.Serializable;

/** An input file that was not stored, and why (a row of rejected/). */
public record Rejection(String split, String key, String reason) implements Serializable {
}
