package com.example.crm.webhooks.operations;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a login attempt (Basic credentials, or the login form's POST) while its address or user is
 * locked out ({@link LoginThrottle}): 429 with Retry-After, before any password is checked, so a
 * locked-out guesser learns nothing and costs no password hash. Answering at once rather than
 * delaying the answer holds no thread while the lockout runs.
 */
final class LoginThrottleFilter extends OncePerRequestFilter {

    private static final String BASIC = "Basic ";
    private static final String LOGIN_FORM = "/login";

    private final LoginThrottle logins;

    LoginThrottleFilter(LoginThrottle logins) {
        this.logins = logins;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<String> attempt = loginAttempt(request);
        if (attempt.isPresent()) {
            Optional<Duration> wait = logins.lockedOut(request.getRemoteAddr(), attempt.get().isEmpty() ? null : attempt.get());
            if (wait.isPresent()) {
                long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
                response.setStatus(429);
                response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
                response.setContentType(MediaType.APPLICATION_JSON_VALUE);
                response.getWriter().write("{\"error\":\"too many failed logins: try again in " + seconds + " s\"}");
                return;
            }
        }
        chain.doFilter(request, response);
    }

    /** The user name a request tries to log in as ("" when it names none); empty when it is no login attempt. */
    private static Optional<String> loginAttempt(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, BASIC, 0, BASIC.length())) {
            try {
                String credentials = new String(Base64.getDecoder().decode(authorization.substring(BASIC.length()).trim()),
                        StandardCharsets.UTF_8);
                int colon = credentials.indexOf(':');
                return Optional.of(colon < 0 ? "" : credentials.substring(0, colon));
            } catch (IllegalArgumentException notBase64) {
                return Optional.of("");
            }
        }
        if (HttpMethod.POST.matches(request.getMethod()) && LOGIN_FORM.equals(request.getServletPath())) {
            String username = request.getParameter("username");
            return Optional.of(username == null ? "" : username);
        }
        return Optional.empty();
    }
}
