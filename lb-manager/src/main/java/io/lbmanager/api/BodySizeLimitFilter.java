package io.lbmanager.api;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Refuses a body whose Content-Length is over the limit before anything reads it, and caps the
 * stream of every other body (chunked ones have no Content-Length) at the same limit.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public final class BodySizeLimitFilter implements ContainerRequestFilter {

    private final int maxBytes;

    public BodySizeLimitFilter(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (request.getLength() > maxBytes) {
            throw new BodyTooLargeException(maxBytes);
        }
        request.setEntityStream(new CappedInputStream(request.getEntityStream(), maxBytes));
    }

    private static final class CappedInputStream extends FilterInputStream {
        private final int maxBytes;
        private long consumed;

        CappedInputStream(InputStream in, int maxBytes) {
            super(in);
            this.maxBytes = maxBytes;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) {
            consumed += n;
            if (consumed > maxBytes) {
                throw new BodyTooLargeException(maxBytes);
            }
        }
    }
}
