package com.example.crm.webhooks.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * What one logger writes during each test, for the few tests whose subject is a log line:
 * {@code @RegisterExtension final CapturedLog log = CapturedLog.of(Subject.class);}
 */
public final class CapturedLog implements BeforeEachCallback, AfterEachCallback {

    private final Logger logger;
    private ListAppender<ILoggingEvent> lines;

    private CapturedLog(Logger logger) {
        this.logger = logger;
    }

    /** Captures the logger named after {@code type}. */
    public static CapturedLog of(Class<?> type) {
        return new CapturedLog((Logger) LoggerFactory.getLogger(type));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.detachAppender(lines);
    }

    /** The WARN lines of this test so far, formatted. */
    public List<String> warnings() {
        synchronized (lines) { // the appender appends under its own lock
            return lines.list.stream().filter(event -> event.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
