package com.example.crm.webhooks.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reads a webhook's form body before Camel does. Camel's HTTP binding decodes form fields into
 * headers before any route step runs and answers 500 on a malformed {@code %} escape or a field
 * without {@code =} (JSON sent as a form, say); this filter answers such a body with 400 instead,
 * and a body over the size limit with 413, reading no more than the limit. A good body is handed
 * on unchanged.
 */
@Component
public class FormBodyFilter extends OncePerRequestFilter {

    private final int maxBodyBytes;

    public FormBodyFilter(@Value("${webhooks.max-body-bytes}") int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod())
                || !request.getRequestURI().startsWith("/api/webhooks/")
                || request.getContentType() == null
                || !request.getContentType().toLowerCase().startsWith(MediaType.APPLICATION_FORM_URLENCODED_VALUE);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        byte[] body = request.getInputStream().readNBytes(maxBodyBytes + 1);
        if (body.length > maxBodyBytes) {
            reject(response, 413, "request body larger than " + maxBodyBytes + " bytes");
            return;
        }
        String form = new String(body, StandardCharsets.UTF_8);
        Map<String, List<String>> fields;
        try {
            fields = WebhookRequests.parseForm(form);
        } catch (WebhookRejection malformed) {
            reject(response, malformed.getStatus(), malformed.getMessage());
            return;
        }
        // Camel's form binding parses the body again, strictly, and answers 500 on what we accept
        // (an empty field between "&&", a trailing "&"): hand on the same fields, plainly encoded.
        byte[] canonical = WebhookRequests.encodeForm(fields).getBytes(StandardCharsets.UTF_8);
        // The servlet parameters are the body's fields alone: nothing here reads query parameters.
        Map<String, String[]> parameters = new LinkedHashMap<>();
        fields.forEach((name, values) -> parameters.put(name, values.toArray(String[]::new)));
        chain.doFilter(new CachedBodyRequest(request, canonical, parameters), response);
    }

    private static void reject(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.getWriter().write("{\"error\":\"" + message + "\"}"); // our own constant text: nothing to escape
    }

    /** The request with its body read once and served again from memory, parameters included. */
    private static final class CachedBodyRequest extends HttpServletRequestWrapper {

        private final byte[] body;
        private final Map<String, String[]> parameters;

        CachedBodyRequest(HttpServletRequest request, byte[] body, Map<String, String[]> parameters) {
            super(request);
            this.body = body;
            this.parameters = Collections.unmodifiableMap(parameters);
        }

        @Override
        public String getParameter(String name) {
            String[] values = parameters.get(name);
            return values == null ? null : values[0];
        }

        @Override
        public Map<String, String[]> getParameterMap() {
            return parameters;
        }

        @Override
        public Enumeration<String> getParameterNames() {
            return Collections.enumeration(parameters.keySet());
        }

        @Override
        public String[] getParameterValues(String name) {
            return parameters.get(name);
        }

        @Override
        public ServletInputStream getInputStream() {
            InputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() throws IOException {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return available() == 0;
                }

                @Override
                public int available() {
                    try {
                        return in.available();
                    } catch (IOException e) {
                        return 0;
                    }
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("synchronous reads only");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
