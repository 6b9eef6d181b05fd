package com.example.crm.webhooks.publicport;

import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;

/**
 * The public port's answer to a request whose message cannot be read one way only: 400 in the
 * port's JSON, and the connection closed, since where such a request ends, and so where the next
 * one begins, is exactly what a proxy in front and this port could disagree on (request smuggling,
 * RFC 9112 6.3). Netty's decoder finds these before any route: Content-Length together with
 * Transfer-Encoding, several Content-Length (differing or not), one that is not digits, a
 * Transfer-Encoding whose final coding is not chunked or that applies chunked twice, a header name
 * with a space before its colon. A request line or headers past Vert.x's limits get 414 or 431, as
 * Vert.x's own handler answers them, closed too.
 *
 * <p>Framing that is valid but names a transfer coding besides chunked ({@code gzip, chunked}) is
 * read by no one here: 501, as RFC 9112 6.1 asks, and closed ({@link #onlyChunked}).
 */
final class MalformedRequests {

    static final String MALFORMED = "{\"error\":\"malformed request: its framing or headers are not valid HTTP/1.1 (RFC 9112)\"}";
    static final String UNSUPPORTED_CODING = "{\"error\":\"Transfer-Encoding other than chunked is not supported\"}";

    private MalformedRequests() {
    }

    /** Vert.x's invalid request handler: every request Netty could not decode. */
    static void refuse(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        int status = 400;
        if (cause instanceof TooLongFrameException tooLong && tooLong.getMessage() != null) {
            // The messages Vert.x's own handler tells these apart by.
            if (tooLong.getMessage().startsWith("An HTTP line is larger than")) {
                status = 414;
            } else if (tooLong.getMessage().startsWith("HTTP header is larger than")) {
                status = 431;
            }
        }
        answerAndClose(request.response(), status, MALFORMED);
    }

    /** First on the router: a request whose body is in a transfer coding the port does not decode is not read. */
    static void onlyChunked(RoutingContext context) {
        List<String> codings = context.request().headers().getAll(HttpHeaders.TRANSFER_ENCODING);
        if (codings.isEmpty() || codings.size() == 1 && "chunked".equals(codings.get(0).strip().toLowerCase(Locale.ROOT))) {
            context.next();
            return;
        }
        answerAndClose(context.response(), 501, UNSUPPORTED_CODING);
    }

    private static void answerAndClose(HttpServerResponse response, int status, String body) {
        response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(body)
                .onComplete(written -> response.close());
    }
}
