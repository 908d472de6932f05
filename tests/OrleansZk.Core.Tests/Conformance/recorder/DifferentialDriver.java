// Answers the recorder's commands one line at a time, for OrleansZk's differential test
// (tests/OrleansZk.Conformance.Tests): starts one fresh standalone ZooKeeper server in this JVM as
// Recorder does, prints "READY <connect string>", then reads commands in the scenario syntax
// (docs/conformance.md) from standard input and writes one answer line each, rendered as in the
// recordings. "reset" closes every session and forgets their names (answer "OK"); a scenario
// error (bad syntax, unknown session) answers "SCENARIO-ERROR <message>"; end of input shuts the
// server down. Standard output carries nothing else (the JVM's own System.out goes to stderr).
// Usage: java -cp <zookeeper jars>:<classes> DifferentialDriver

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

public final class DifferentialDriver {
    public static void main(String[] args) throws Exception {
        PrintStream answers = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Recorder.Server server = new Recorder.Server()) {
            Recorder recorder = new Recorder(server.connectString());
            answers.println("READY " + server.connectString());
            String line;
            while ((line = in.readLine()) != null) {
                answers.println(answer(recorder, line));
            }
            recorder.reset();
        }
        System.exit(0);
    }

    private static String answer(Recorder recorder, String line) {
        try {
            if (line.equals("reset")) {
                recorder.reset();
                return "OK";
            }
            return recorder.run(Recorder.tokenize(line));
        } catch (Recorder.ScenarioError e) {
            return "SCENARIO-ERROR " + e.getMessage();
        } catch (Exception e) {
            return "SCENARIO-ERROR " + e;
        }
    }
}
