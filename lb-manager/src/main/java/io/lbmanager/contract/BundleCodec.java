package io.lbmanager.contract;

import io.lbmanager.zk.CorruptNodeException;
import io.lbmanager.zk.Json;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A bundle as stored in a version node: gzip-compressed JSON, checked against its sha256 on read.
 * Versions stored before the checksum summed per-file digests carry the flat checksum; both are accepted.
 */
public final class BundleCodec {

    private BundleCodec() {
    }

    public static byte[] encode(ConfigBundle bundle) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(Json.write(bundle));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static ConfigBundle decode(String path, byte[] bytes) {
        byte[] json;
        try (GZIPInputStream gzip = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            json = gzip.readAllBytes();
        } catch (IOException e) {
            throw new CorruptNodeException(path, "not a gzip bundle (" + e.getMessage() + ")");
        }
        ConfigBundle bundle = Json.read(path, json, ConfigBundle.class);
        String actual = ConfigBundle.checksum(bundle.files());
        if (!actual.equals(bundle.sha256()) && !ConfigBundle.flatChecksum(bundle.files()).equals(bundle.sha256())) {
            throw new CorruptNodeException(path, "sha256 " + actual + " does not match the recorded " + bundle.sha256());
        }
        return bundle;
    }
}
