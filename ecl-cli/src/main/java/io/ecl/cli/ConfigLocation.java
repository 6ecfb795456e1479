package io.ecl.cli;

import io.ecl.core.ConfigException;
import io.ecl.core.EclConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the config is read from when the command line names none: {@value #CONFIG_ENV}, else
 * {@link #DEFAULT_CONFIG}. The environment and the default path are fields so that tests can
 * set them (a JVM cannot change its own environment).
 */
public final class ConfigLocation {
    public static final String CONFIG_ENV = "ECL_CONFIG";
    /** The config file when neither the command line nor {@value #CONFIG_ENV} names one. */
    public static final String DEFAULT_CONFIG_FILE = "/etc/ecl/config.yml";
    public static final Path DEFAULT_CONFIG = Path.of(DEFAULT_CONFIG_FILE);
    public static final ConfigLocation SYSTEM = new ConfigLocation(System.getenv(), DEFAULT_CONFIG);

    private final Map<String, String> env;
    private final Path defaultPath;

    public ConfigLocation(Map<String, String> env, Path defaultPath) {
        this.env = env;
        this.defaultPath = defaultPath;
    }

    /** The environment this location reads {@value #CONFIG_ENV} from (and ECL_REDIS_URL, when loading). */
    public Map<String, String> env() {
        return env;
    }

    /**
     * Loads {@code given}, or the file {@value #CONFIG_ENV} names (when set and not empty), or
     * the default path. A missing file is a ConfigException naming the path and, when it was
     * not given, where it came from. ECL_REDIS_URL is applied from the same environment.
     */
    public EclConfig load(Path given) {
        return EclConfig.load(resolve(given), env);
    }

    /**
     * Like {@link #load}, for a tool that reads the groups it is asked for: an invalid group is
     * left out and named in {@link EclConfig#invalidGroups()} rather than failing the file.
     */
    public EclConfig loadSkippingInvalidGroups(Path given) {
        return EclConfig.loadSkippingInvalidGroups(resolve(given), env);
    }

    /**
     * The file to read: {@code given}, or the file {@value #CONFIG_ENV} names (when set and not
     * empty), or the default path; whether it exists is not checked.
     */
    public Path path(Path given) {
        if (given != null) {
            return given;
        }
        String fromEnv = env.get(CONFIG_ENV);
        return fromEnv != null && !fromEnv.isEmpty() ? Path.of(fromEnv) : defaultPath;
    }

    /**
     * {@link #path}, checked: a file the command line did not name must exist, else a
     * ConfigException names the path and where it came from.
     */
    public Path resolve(Path given) {
        Path file = path(given);
        if (given == null && !Files.exists(file)) {
            String origin = file.equals(defaultPath)
                    && (env.get(CONFIG_ENV) == null || env.get(CONFIG_ENV).isEmpty())
                    ? "the default: no CONFIG given and " + CONFIG_ENV + " not set"
                    : "named by " + CONFIG_ENV;
            throw new ConfigException(file + ": config file not found (" + origin + ")");
        }
        return file;
    }
}
