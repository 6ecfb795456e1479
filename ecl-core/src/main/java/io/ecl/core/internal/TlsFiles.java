package io.ecl.core.internal;

import io.ecl.core.ConfigException;
import io.ecl.core.RedisConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS files of a Redis config as a socket factory, read the way redis-cli and stunnel take
 * them: PEM CA certificates to trust (instead of the JVM's), and a PEM client certificate with its
 * PKCS#8 key for servers that check clients ({@code tls-auth-clients yes}, Redis' default).
 * Read when the connection object is made, so that a wrong path or file is a config error at
 * start, never a surprise at the first log().
 */
public final class TlsFiles {
    private TlsFiles() {
    }

    /**
     * A socket factory for {@code redis}, or null when it names no TLS file (the JVM's defaults).
     *
     * @throws ConfigException naming the key and the file when one cannot be read or used
     */
    public static SSLSocketFactory socketFactory(RedisConfig redis) {
        if (redis.tlsCaFile() == null && redis.tlsCertFile() == null) {
            return null;
        }
        try {
            TrustManagerFactory trust = null;
            if (redis.tlsCaFile() != null) {
                KeyStore cas = KeyStore.getInstance("PKCS12");
                cas.load(null, null);
                int n = 0;
                for (Certificate c : certificates(redis.tlsCaFile(), "redis.tls_ca_file")) {
                    cas.setCertificateEntry("ca" + n++, c);
                }
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(cas);
            }
            KeyManagerFactory keys = null;
            if (redis.tlsCertFile() != null) {
                PrivateKey key = privateKey(redis.tlsKeyFile());
                List<Certificate> chain = certificates(redis.tlsCertFile(), "redis.tls_cert_file");
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                char[] none = new char[0];
                ks.setKeyEntry("client", key, none, chain.toArray(new Certificate[0]));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(ks, none);
            }
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            return tls.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("redis TLS files: " + e.getMessage());
        }
    }

    private static List<Certificate> certificates(String file, String key) {
        byte[] pem = read(file, key);
        try (InputStream in = new java.io.ByteArrayInputStream(pem)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new ConfigException(key + ": " + file + " holds no PEM certificate");
            }
            return new ArrayList<>(certs);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(key + ": " + file + " is not a PEM certificate file: " + e.getMessage());
        }
    }

    private static PrivateKey privateKey(String file) {
        String key = "redis.tls_key_file";
        String pem = new String(read(file, key), StandardCharsets.US_ASCII);
        String begin = "-----BEGIN PRIVATE KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf("-----END PRIVATE KEY-----");
        if (from < 0 || to < from) {
            String hint = pem.contains("-----BEGIN RSA PRIVATE KEY-----") || pem.contains("-----BEGIN EC PRIVATE KEY-----")
                    ? " (it is in the older PKCS#1/SEC1 form: convert it with"
                            + " 'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8')"
                    : pem.contains("ENCRYPTED PRIVATE KEY") ? " (it is encrypted; ecl needs an unencrypted key file"
                            + " readable only by its user)" : "";
            throw new ConfigException(key + ": " + file + " holds no PEM 'BEGIN PRIVATE KEY' (PKCS#8) block" + hint);
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": " + file + ": the key is not valid base64");
        }
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "DSA"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException wrongAlgorithm) {
                // try the next one
            }
        }
        throw new ConfigException(key + ": " + file + ": not an RSA, EC, EdDSA or DSA private key");
    }

    private static byte[] read(String file, String key) {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(key + ": " + file + ": no such file");
        } catch (IOException | SecurityException e) {
            throw new ConfigException(key + ": " + file + ": cannot be read (" + e.getMessage() + ")");
        }
    }
}
