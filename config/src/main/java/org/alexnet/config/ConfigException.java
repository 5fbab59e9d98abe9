package org.alexnet.config;

/** A configuration or command-line problem, reported before any work starts; the message names the key. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
