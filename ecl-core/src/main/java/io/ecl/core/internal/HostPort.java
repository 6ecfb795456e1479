package io.ecl.core.internal;

import io.ecl.core.ConfigException;

/** A {@code host:port} of a config's Redis address list; IPv6 hosts in brackets. */
public record HostPort(String host, int port) {
    /**
     * Splits {@code host:port} (or {@code [v6]:port}) into host and port.
     *
     * @param what names the config key in the message
     * @throws ConfigException when it is not of that form
     */
    public static HostPort parse(String s, String what) {
        String t = s == null ? "" : s.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new ConfigException(what + ": '" + Printable.of(s) + "' is not host:port");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(what + ": '" + Printable.of(s) + "' is not host:port (the port is not a number)");
        }
        if (port < 1 || port > 65535 || host.isEmpty()) {
            throw new ConfigException(what + ": '" + Printable.of(s) + "' is not host:port");
        }
        return new HostPort(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
