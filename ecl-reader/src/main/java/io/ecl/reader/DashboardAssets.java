package io.ecl.reader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The files of serve's dashboard, read once from the jar ({@code io/ecl/reader/dashboard/}): the
 * page at {@code /} and a fixed list of assets at {@code /assets/NAME}. A name is looked up in that
 * list and nowhere else, so no path can reach another resource or a file. The chart library
 * (uPlot) is copied into the same folder at build time; nothing is fetched from elsewhere.
 *
 * <p>Each file has a strong ETag (a hash of its bytes) and {@code Cache-Control: no-cache}: a
 * browser asks again at every load and gets a 304 while the jar is the same, and the new files at
 * once after an upgrade, without versioned names.
 */
final class DashboardAssets {
    /** The page, served at {@code /}. */
    static final String INDEX = "index.html";
    static final String CACHE_CONTROL = "no-cache";

    /** The assets by name: the only files served under {@code /assets/}. */
    private static final Map<String, String> TYPES = Map.of(
            "dashboard.js", "text/javascript; charset=utf-8",
            "dashboard.css", "text/css; charset=utf-8",
            "uPlot.iife.min.js", "text/javascript; charset=utf-8",
            "uPlot.min.css", "text/css; charset=utf-8");

    /** A file: its content type, text and ETag. */
    record Asset(String type, String text, String etag) {
    }

    private final Asset index;
    private final Map<String, Asset> assets;

    private DashboardAssets(Asset index, Map<String, Asset> assets) {
        this.index = index;
        this.assets = assets;
    }

    /**
     * Reads every file from the jar.
     *
     * @throws IllegalStateException when one is missing (a jar built without its dashboard)
     */
    static DashboardAssets load() {
        Map<String, Asset> assets = new java.util.HashMap<>();
        for (Map.Entry<String, String> e : TYPES.entrySet()) {
            assets.put(e.getKey(), read(e.getKey(), e.getValue()));
        }
        return new DashboardAssets(read(INDEX, "text/html; charset=utf-8"), Map.copyOf(assets));
    }

    /** The page. */
    Asset index() {
        return index;
    }

    /** The asset {@code name} (one decoded path segment), or null when there is none of that name. */
    Asset asset(String name) {
        return assets.get(name);
    }

    private static Asset read(String name, String type) {
        try (InputStream in = DashboardAssets.class.getResourceAsStream("dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + name + " is missing from the jar");
            }
            byte[] bytes = in.readAllBytes();
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
            String etag = "\"" + HexFormat.of().formatHex(hash, 0, 12) + "\"";
            return new Asset(type, new String(bytes, StandardCharsets.UTF_8), etag);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the dashboard's " + name + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    /**
     * Whether an If-None-Match header value names {@code etag} (a list of tags, or {@code *}); weak
     * tags compare by their opaque part, as RFC 9110 asks for GET.
     */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.equals("*") || t.equals(etag) || (t.startsWith("W/") && t.substring(2).equals(etag))) {
                return true;
            }
        }
        return false;
    }
}
