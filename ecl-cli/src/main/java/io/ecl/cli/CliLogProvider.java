package io.ecl.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LogbackServiceProvider;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Logback for a command-line tool, started the short way: SLF4J is told this class by name
 * ({@link #install()}) instead of looking for providers in every jar of the class path, and the
 * Logback context is set up in code ({@link CliLogConfigurator}'s set-up) without Logback's
 * general initialisation, which looks for configurators in every jar again, reads their
 * annotations by reflection and prepares a status printer. For a tool that logs once and exits
 * that was about half of its start-up.
 *
 * <p>The loggers are Logback's as before, and a file still wins: with
 * {@code -Dlogback.configurationFile=...} this hands everything to Logback's own provider, which
 * reads that file as before. Embedding applications and tests, which do not call
 * {@link #install()}, find Logback through SLF4J's usual lookup and {@link CliLogConfigurator}.
 */
public final class CliLogProvider implements SLF4JServiceProvider {
    private static final String PROVIDER_PROPERTY = "slf4j.provider";
    private static final String VERBOSITY_PROPERTY = "slf4j.internal.verbosity";

    /** Logback's own provider, when a configuration file was asked for; else null. */
    private final LogbackServiceProvider logback;
    private final LoggerContext context;
    private final IMarkerFactory markers;
    private final LogbackMDCAdapter mdc;

    /** As SLF4J creates it (named by {@link #install()}). */
    public CliLogProvider() {
        if (CliLogConfigurator.fileRequested()) {
            logback = new LogbackServiceProvider();
            context = null;
            markers = null;
            mdc = null;
        } else {
            logback = null;
            context = new LoggerContext();
            markers = new BasicMarkerFactory();
            mdc = new LogbackMDCAdapter();
        }
    }

    /**
     * Makes this the SLF4J provider of this process unless one is named already (a user's
     * {@code -Dslf4j.provider}). Call it first thing in {@code main}, before anything logs. SLF4J
     * would print a line about an explicitly named provider at its default verbosity: that line
     * is left out (unless a verbosity is set), so a tool's stderr stays as it was.
     */
    public static void install() {
        if (System.getProperty(PROVIDER_PROPERTY) == null) {
            System.setProperty(PROVIDER_PROPERTY, CliLogProvider.class.getName());
            if (System.getProperty(VERBOSITY_PROPERTY) == null) {
                System.setProperty(VERBOSITY_PROPERTY, "WARN");
            }
        }
    }

    @Override
    public void initialize() {
        if (logback != null) {
            logback.initialize();
            return;
        }
        context.setName("default");
        context.setMDCAdapter(mdc);
        CliLogConfigurator.setUp(context);
        context.start();
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return logback != null ? logback.getLoggerFactory() : context;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return logback != null ? logback.getMarkerFactory() : markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return logback != null ? logback.getMDCAdapter() : mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return LogbackServiceProvider.REQUESTED_API_VERSION;
    }
}
