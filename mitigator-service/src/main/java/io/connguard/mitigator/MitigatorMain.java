package io.connguard.mitigator;

import io.connguard.mitigator.policy.PolicyException;
import io.connguard.mitigator.policy.PolicyLoader;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Runs the service, or with {@code validate <file>...} checks policy files without starting anything: prints each
 * problem (file, path, line) and exits 1 when one is invalid, 0 when all are valid.
 */
@QuarkusMain
public final class MitigatorMain {

    public static void main(String... args) {
        if (args.length > 0 && "validate".equals(args[0])) {
            System.exit(validate(args, System.out, System.err));
        }
        Quarkus.run(args);
    }

    static int validate(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 2) {
            err.println("usage: validate <policy.yaml>...");
            return 2;
        }
        int status = 0;
        for (int i = 1; i < args.length; i++) {
            try {
                PolicyLoader.load(Path.of(args[i]));
                out.println(args[i] + ": valid");
            } catch (PolicyException e) {
                err.println(e.getMessage());
                status = 1;
            }
        }
        return status;
    }
}
