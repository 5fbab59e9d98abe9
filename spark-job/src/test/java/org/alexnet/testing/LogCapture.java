package org.alexnet.testing;

import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/** What the project's classes (org.alexnet.*) log at INFO and above while an action runs. */
public final class LogCapture {
    private static final String LOGGERS = "org.alexnet";

    /** The action's result and the log lines ("LEVEL Logger: message"). */
    public record Result<T>(T value, String log) {
    }

    private LogCapture() {
    }

    public static <T> Result<T> during(Callable<T> action) throws Exception {
        StringWriter out = new StringWriter();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        WriterAppender appender = WriterAppender.newBuilder().setName("capture-" + System.nanoTime()).setTarget(out)
                .setLayout(PatternLayout.newBuilder().withPattern("%p %c{1}: %m%n").build()).build();
        appender.start();
        LoggerConfig previous = config.getLoggers().get(LOGGERS);
        LoggerConfig capture = LoggerConfig.newBuilder().withLoggerName(LOGGERS).withLevel(Level.INFO)
                .withAdditivity(true).withConfig(config).build();
        capture.addAppender(appender, Level.INFO, null);
        config.addLogger(LOGGERS, capture);
        ctx.updateLoggers();
        try {
            T value = action.call();
            return new Result<>(value, out.toString());
        } finally {
            config.removeLogger(LOGGERS);
            if (previous != null) {
                config.addLogger(LOGGERS, previous);
            }
            ctx.updateLoggers();
            appender.stop();
        }
    }
}
