package com.example.crm.webhooks.operations;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Supplier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.autoconfigure.security.servlet.EndpointRequest;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.csrf.XorCsrfTokenRequestAttributeHandler;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.util.StringUtils;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Who may use the management port (MANAGEMENT_SERVER_PORT, the only port Tomcat serves; the public
 * webhooks are on publicport.PublicHttpServer's port, which has nothing else). The one configured user
 * for everything but health: the Hawtio console and Jolokia with a login form and CSRF cookies,
 * the dead-letter and resolve callback URL endpoints with HTTP Basic only. With no password
 * configured it refuses everyone but health. Another site cannot drive the console: Jolokia answers POST only, each POST needs the
 * CSRF token, a request from another origin is refused, and the session and token cookies are
 * SameSite=Strict. Password guessing is slowed per address and per user ({@link LoginThrottle}).
 */
@Configuration
@EnableWebSecurity
public class ManagementSecurity {

    /** Health, with its /livez and /readyz: for orchestrators and load balancers, no login. */
    private static final RequestMatcher HEALTH = new OrRequestMatcher(
            EndpointRequest.to(HealthEndpoint.class),
            EndpointRequest.toAdditionalPaths(WebServerNamespace.SERVER, HealthEndpoint.class));

    /** Allows no origin: a cross-origin request (its Origin another scheme, host or port than the request's) gets 403. */
    private static final CorsConfiguration NO_OTHER_ORIGIN = new CorsConfiguration();

    private final boolean consoleOpen;
    private final LoginThrottle logins;

    public ManagementSecurity(@Value("${operations.console.password:}") String password, LoginThrottle logins) {
        this.consoleOpen = StringUtils.hasText(password);
        this.logins = logins;
    }

    /** The one management user; none at all (nobody can log in) when no password is configured. */
    @Bean
    UserDetailsService managementUsers(@Value("${operations.console.username}") String username,
                                       @Value("${operations.console.password:}") String password) {
        if (!StringUtils.hasText(password)) {
            return new InMemoryUserDetailsManager();
        }
        PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
        String encoded = password.startsWith("{") ? password : encoder.encode(password);
        return new InMemoryUserDetailsManager(User.withUsername(username).password(encoded).roles("admin").build());
    }

    /**
     * The APIs for scripts, dead letters, refused deliveries and signed resolve callback URLs: Basic credentials on every
     * call, no session, so no CSRF to forge.
     */
    @Bean
    @Order(1)
    SecurityFilterChain scriptApis(HttpSecurity http) throws Exception {
        http.securityMatcher(EndpointRequest.to(DeadLettersEndpoint.class, RefusedDeliveriesEndpoint.class,
                ResolveCallbackUrlEndpoint.class))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(csrf -> csrf.disable());
        if (consoleOpen) {
            http.authorizeHttpRequests(authorize -> authorize.anyRequest().authenticated())
                    .httpBasic(Customizer.withDefaults())
                    .addFilterBefore(new LoginThrottleFilter(logins), BasicAuthenticationFilter.class);
        } else {
            closed(http);
        }
        return http.build();
    }

    /** Console, Jolokia, metrics and info: a login form for people, Basic for scrapers; health stays open. */
    @Bean
    @Order(2)
    SecurityFilterChain managementPort(HttpSecurity http, PathMappedEndpoints endpoints) throws Exception {
        if (!consoleOpen) {
            http.csrf(csrf -> csrf.disable());
            closed(http);
            return http.build();
        }
        http.authorizeHttpRequests(authorize -> authorize
                        .requestMatchers(HEALTH).permitAll()
                        // Jolokia by POST only, which needs the CSRF token: a link or an <img> elsewhere runs nothing.
                        .requestMatchers(jolokiaButNotPost(endpoints)).denyAll()
                        .anyRequest().authenticated())
                .formLogin(Customizer.withDefaults())
                .httpBasic(Customizer.withDefaults())
                // No origin but the console's own: a request from another site's page is refused with 403.
                .cors(cors -> cors.configurationSource(request -> NO_OTHER_ORIGIN))
                // Hawtio's single-page app reads the token from the XSRF-TOKEN cookie and sends it back as a header.
                .csrf(csrf -> csrf
                        .csrfTokenRepository(csrfTokenCookies())
                        .csrfTokenRequestHandler(new SpaCsrfTokenRequestHandler()))
                .addFilterAfter(new CsrfCookieFilter(), BasicAuthenticationFilter.class)
                .addFilterBefore(new LoginThrottleFilter(logins), UsernamePasswordAuthenticationFilter.class);
        return http.build();
    }

    /**
     * Jolokia requests by any method but POST, at its own path and at the console's, which Hawtio
     * forwards to it (hawtio-springboot maps {@code <hawtio>/jolokia/**}).
     */
    private static RequestMatcher jolokiaButNotPost(PathMappedEndpoints endpoints) {
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        RequestMatcher jolokia = new OrRequestMatcher(
                paths.matcher(endpoints.getPath(EndpointId.of("jolokia")) + "/**"),
                paths.matcher(endpoints.getPath(EndpointId.of("hawtio")) + "/jolokia/**"));
        return request -> jolokia.matches(request) && !HttpMethod.POST.matches(request.getMethod());
    }

    /**
     * The XSRF-TOKEN cookie, which the console's script reads (so not HttpOnly). SameSite=Strict: no
     * browser sends it with a request another site starts. Secure is left to the repository's
     * default, set exactly when the request came over HTTPS, as Tomcat does for the session cookie.
     */
    private static CookieCsrfTokenRepository csrfTokenCookies() {
        CookieCsrfTokenRepository repository = CookieCsrfTokenRepository.withHttpOnlyFalse();
        repository.setCookieCustomizer(cookie -> cookie.sameSite("Strict"));
        return repository;
    }

    /** No password configured: health only, everything else 403 (there is nobody to log in as). */
    private static void closed(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(authorize -> authorize
                        .requestMatchers(HEALTH).permitAll()
                        .anyRequest().denyAll())
                .exceptionHandling(handling -> handling.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.FORBIDDEN)));
    }

    /** Plain tokens from the header (what the console sends), masked ones from form fields (the login page). */
    static final class SpaCsrfTokenRequestHandler extends CsrfTokenRequestAttributeHandler {

        private final XorCsrfTokenRequestAttributeHandler masked = new XorCsrfTokenRequestAttributeHandler();

        @Override
        public void handle(HttpServletRequest request, HttpServletResponse response, Supplier<CsrfToken> token) {
            masked.handle(request, response, token);
        }

        @Override
        public String resolveCsrfTokenValue(HttpServletRequest request, CsrfToken token) {
            if (StringUtils.hasText(request.getHeader(token.getHeaderName()))) {
                return super.resolveCsrfTokenValue(request, token);
            }
            return masked.resolveCsrfTokenValue(request, token);
        }
    }

    /** Loads the deferred token so the XSRF-TOKEN cookie is set before the console's first POST. */
    static final class CsrfCookieFilter extends OncePerRequestFilter {

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            CsrfToken token = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
            if (token != null) {
                token.getToken();
            }
            chain.doFilter(request, response);
        }
    }
}
