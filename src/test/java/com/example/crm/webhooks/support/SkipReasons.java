package com.example.crm.webhooks.support;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints on the test run's console why a test did not run: disabled, or stopped by an assumption.
 * Surefire counts such tests as skipped but keeps the reason in its XML report only. Registered in
 * META-INF/services.
 */
public class SkipReasons implements TestExecutionListener {

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        print(test, reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            print(test, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
        }
    }

    private static void print(TestIdentifier test, String reason) {
        String name = test.getSource().map(source -> {
            if (source instanceof MethodSource method) {
                return method.getJavaClass().getSimpleName() + "." + method.getMethodName();
            }
            return source instanceof ClassSource type ? type.getJavaClass().getSimpleName() : test.getDisplayName();
        }).orElse(test.getDisplayName());
        System.out.println("Skipped " + name + ": " + reason);
    }
}
