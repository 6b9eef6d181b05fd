package com.example.crm.webhooks.database;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.function.Predicate;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Tells the failures of a database call apart by what they mean for the caller: the database
 * could not be reached (retry later, or keep the delivery elsewhere), or it refused the values
 * themselves (the caller's input is at fault). Both look through the whole cause chain, and a
 * failed rollback counts with the failure it hides.
 */
public final class DatabaseFailures {

    private DatabaseFailures() {
    }

    /** The database could not be reached, or went away mid-statement, rather than refusing a statement. */
    public static boolean isUnavailable(Throwable failure) {
        // Spring files a program limit (class 54) under resource failures too; it is the values' fault.
        return !anyCause(failure, DatabaseFailures::isRefusedValue)
                && anyCause(failure, t -> t instanceof DataAccessResourceFailureException
                || t instanceof SQLTransientConnectionException
                || meansDatabaseGone(t)
                // The COMMIT itself failed and so did the rollback: the connection died at commit
                // (Spring logs the commit's failure and throws the rollback's, with no application exception).
                || t instanceof TransactionSystemException tx && tx.getApplicationException() == null);
    }

    /**
     * The failure says the database itself is gone, not just this call: a connection failure (SQLState
     * class 08, a connection refused or broken under a statement) or the server ending its sessions
     * (57P: 57P01 an administrator's shutdown or pg_terminate_backend, 57P02 a crash, 57P03 not
     * accepting connections yet), anywhere in the chain. The database circuit opens on it.
     */
    public static boolean isDatabaseGone(Throwable failure) {
        return anyCause(failure, DatabaseFailures::meansDatabaseGone);
    }

    private static boolean meansDatabaseGone(Throwable t) {
        return hasSqlState(t, "08") || hasSqlState(t, "57P");
    }

    /**
     * PostgreSQL refused the values themselves: SQLState class 22, data exception (NUL in text, a
     * lone surrogate in jsonb, a number out of range), or class 54, program limit exceeded (a value
     * too large for an index row). The transaction that hit it was rolled back.
     */
    public static boolean isRefusedValue(Throwable failure) {
        return anyCause(failure, t -> hasSqlState(t, "22") || hasSqlState(t, "54"));
    }

    /**
     * Whether the failure or any of its causes matches. When the database goes away inside a
     * transaction the pool has already closed the connection, so the rollback fails too
     * ("Connection is closed", no SQLState) and the transaction template throws that, keeping the
     * statement's own failure aside as the application exception.
     */
    private static boolean anyCause(Throwable failure, Predicate<Throwable> test) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (test.test(t)) {
                return true;
            }
            if (t instanceof TransactionSystemException rollback && rollback.getApplicationException() != null
                    && anyCause(rollback.getApplicationException(), test)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasSqlState(Throwable t, String classPrefix) {
        return t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith(classPrefix);
    }
}
