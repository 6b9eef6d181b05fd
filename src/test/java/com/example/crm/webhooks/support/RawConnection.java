package com.example.crm.webhooks.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One plain TCP connection to the service, for the clients an HTTP client will not play: silent
 * ones, ones that send their headers or body a byte at a time, ones that go away mid-request. It
 * can connect from a given loopback address ({@code 127.0.0.x}), so a test can be several clients
 * for the per-address connection cap. Writes never throw once the server has closed the
 * connection: a slow client does not notice either.
 */
public final class RawConnection implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private volatile boolean closedByServer;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
    }

    /** Connects to the service at {@code baseUrl} from {@code localAddress} (a 127.0.0.x address). */
    public static RawConnection open(String baseUrl, String localAddress) {
        URI base = URI.create(baseUrl);
        try {
            return new RawConnection(new Socket(InetAddress.getByName(base.getHost()), base.getPort(),
                    InetAddress.getByName(localAddress), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends the text as ISO-8859-1 bytes; quietly nothing when the server closed the connection. */
    public RawConnection send(String text) {
        try {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (IOException e) {
            closedByServer = true;
        }
        return this;
    }

    /** Ends the client's side (a FIN), as a client that has sent all it will and goes away. */
    public void shutdownOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            closedByServer = true;
        }
    }

    /**
     * Whether the server has closed the connection, looking without waiting: whatever the server sent
     * meanwhile is kept ({@link #received}).
     */
    public boolean isClosedByServer() {
        if (closedByServer) {
            return true;
        }
        try {
            socket.setSoTimeout(1);
            readAvailable();
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            closedByServer = true; // reset
        }
        return closedByServer;
    }

    /** Reads until the server closes the connection (at most {@code wait}) and returns all it sent. */
    public String readUntilClosed(Duration wait) {
        try {
            socket.setSoTimeout((int) wait.toMillis());
            readAvailable();
        } catch (SocketTimeoutException e) {
            throw new IllegalStateException("the server kept the connection open for " + wait + "; it sent: " + received(), e);
        } catch (IOException e) {
            closedByServer = true;
        }
        return received();
    }

    /**
     * Reads one response, with a Content-Length or chunked (the service's error answers are), leaving
     * the connection open; what follows it stays {@link #received}.
     */
    public String readResponse(Duration wait) {
        try {
            socket.setSoTimeout((int) wait.toMillis());
            int headEnd;
            while ((headEnd = received().indexOf("\r\n\r\n")) < 0) {
                readSome();
            }
            String head = received().substring(0, headEnd + 2).toLowerCase();
            int end;
            if (head.contains("\r\ntransfer-encoding: chunked\r\n")) {
                while ((end = received().indexOf("\r\n0\r\n\r\n", headEnd)) < 0) {
                    readSome();
                }
                end += 7;
            } else {
                int at = head.indexOf("\r\ncontent-length:");
                end = headEnd + 4 + (at < 0 ? 0 : Integer.parseInt(head.substring(at + 17, head.indexOf("\r\n", at + 2)).trim()));
                while (received.size() < end) {
                    readSome();
                }
            }
            String all = received();
            received.reset();
            received.write(all.substring(end).getBytes(StandardCharsets.ISO_8859_1), 0, all.length() - end);
            return all.substring(0, end);
        } catch (IOException e) {
            throw new UncheckedIOException("no whole response; received: " + received(), e);
        }
    }

    /** All the server has sent so far (and not yet returned by {@link #readResponse}). */
    public String received() {
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    private void readAvailable() throws IOException {
        while (!closedByServer) {
            readSome();
        }
    }

    private void readSome() throws IOException {
        byte[] buffer = new byte[8192];
        int n = in.read(buffer);
        if (n < 0) {
            closedByServer = true;
            throw new IOException("closed by the server");
        }
        received.write(buffer, 0, n);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
