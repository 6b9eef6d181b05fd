package com.example.crm.webhooks.publicport;

/** The public port (PUBLIC_PORT) could not be opened: start-up stops rather than run without webhooks. */
public class PublicPortUnavailableException extends RuntimeException {

    private final String host;
    private final int port;

    public PublicPortUnavailableException(String host, int port, Exception cause) {
        super("The public port " + host + ":" + port + " (PUBLIC_HOST:PUBLIC_PORT) could not be opened"
                + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
        this.host = host;
        this.port = port;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }
}
