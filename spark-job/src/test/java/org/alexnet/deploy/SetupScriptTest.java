package org.alexnet.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/setup.sh, the set-up that deploy/alexnet runs before it builds, runs or tests, on a machine
 * made to look fresh: a PATH of basic tools and stubs, without gcc, shellcheck or a JDK, where
 * dpkg-query answers from a list, apt-get "installs" into that list and sudo and id play root or
 * not, all recording what they were asked. Debian and Ubuntu, as root, with and without sudo.
 * Nothing is installed on (or removed from) the test machine.
 */
class SetupScriptTest {
    private static final Path ROOT = Processes.repoRoot();
    /** The real tools the scripts use besides the stubbed ones. */
    private static final List<String> TOOLS = List.of("bash", "sed", "grep", "awk", "dirname", "readlink", "uname",
            "env", "cat", "mkdir", "chmod", "find", "tee", "true", "mktemp", "rm", "tail");

    @TempDir
    Path dir;
    private Path bin;
    private Path jvm;
    private Path calls;
    private Path installed;
    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void freshMachine() throws IOException {
        bin = Files.createDirectories(dir.resolve("bin"));
        jvm = Files.createDirectories(dir.resolve("jvm"));
        calls = dir.resolve("calls");
        installed = Files.writeString(dir.resolve("installed"), "");
        Files.writeString(calls, "");
        for (String tool : TOOLS) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of(DeployTemplatesTest.tool(tool)));
        }
        stub("id", "[ \"$1\" = -u ] && echo \"$STUB_UID\"");
        stub("dpkg-query", "for p; do :; done\n"
                + "grep -qx \"$p\" \"$STUB_INSTALLED\" && printf 'install ok installed' && exit 0\n"
                + "echo \"dpkg-query: no packages found matching $p\" >&2; exit 1");
        // "installs" by adding the packages to dpkg's list; a JDK package brings a JDK home
        stub("apt-get", "echo \"apt-get $*\" >> \"$STUB_CALLS\"; echo \"STUB apt-get $1\" >&2\n"
                + "[ \"$1\" = install ] || exit 0\n"
                + "for p; do case $p in -*|install) ;; *) echo \"$p\" >> \"$STUB_INSTALLED\" ;; esac; done\n"
                + "for v in 17 21; do case \" $* \" in *\" openjdk-$v-jdk-headless \"*)\n"
                + "  mkdir -p \"$STUB_JVM/java-$v-openjdk-amd64/bin\"\n"
                + "  printf '#!/bin/sh\\n' > \"$STUB_JVM/java-$v-openjdk-amd64/bin/java\"\n"
                + "  printf '#!/bin/sh\\n' > \"$STUB_JVM/java-$v-openjdk-amd64/bin/javac\"\n"
                + "  chmod +x \"$STUB_JVM/java-$v-openjdk-amd64/bin/\"*\n"
                + "  echo \"JAVA_VERSION=\\\"$v.0.9\\\"\" > \"$STUB_JVM/java-$v-openjdk-amd64/release\" ;; esac; done");
        stub("apt-cache", "[ \"$1\" = policy ] || exit 0\n"
                + "case \" $STUB_APT_CANDIDATES \" in *\" $2 \"*) echo \"  Candidate: 1.0\" ;; *) echo \"  Candidate: (none)\" ;; esac");
        env.put("PATH", bin.toString());
        env.put("HOME", dir.toString());
        env.put("ALEXNET_JVM_DIR", jvm.toString());
        env.put("STUB_CALLS", calls.toString());
        env.put("STUB_INSTALLED", installed.toString());
        env.put("STUB_JVM", jvm.toString());
        env.put("STUB_UID", "0");
        env.put("STUB_APT_CANDIDATES", "openjdk-17-jdk-headless openjdk-21-jdk-headless");
        osRelease("ID=debian\nVERSION_ID=\"12\"\n");
    }

    @Test
    void debianAsRootInstallsWhatTheTestsNeedAfterSayingSo() throws Exception {
        jdk("jdk-17", "17.0.15");
        Processes.Run run = setup("test");
        assertEquals(0, run.exitCode(), run.all());
        assertEquals(List.of("apt-get update -qq", "apt-get install -y -qq --no-install-recommends fonts-dejavu-core "
                + "gcc libc6-dev libjpeg62-turbo-dev shellcheck"), calls());
        String err = run.stderr();
        int said = err.indexOf("alexnet: installing fonts-dejavu-core gcc libc6-dev libjpeg62-turbo-dev shellcheck with "
                + "apt-get (as root)");
        assertTrue(said >= 0 && said < err.indexOf("STUB apt-get install"), "says what it installs, then installs: " + err);
        assertTrue(err.contains("libjpeg62-turbo-dev      libjpeg-turbo's headers and static library"), err);
        assertTrue(err.contains("fonts-dejavu-core        the fonts make-sample-data --kind glyphs draws with"), err);
        assertTrue(err.contains("alexnet: JDK: " + jvm.resolve("jdk-17") + "; Maven: "), err);
    }

    @Test
    void ubuntuWithPasswordlessSudoInstallsUbuntusLibjpegPackage() throws Exception {
        osRelease("NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"\n");
        jdk("jdk-17", "17.0.2");
        stub("gcc", "exit 0");
        Files.writeString(installed, "libc6-dev\nfonts-dejavu-core\n");
        sudo(true);
        env.put("STUB_UID", "1000");
        Processes.Run run = setup("build");
        assertEquals(0, run.exitCode(), run.all());
        assertEquals(List.of("sudo -n true", "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq",
                "apt-get update -qq",
                "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libjpeg-turbo8-dev",
                "apt-get install -y -qq --no-install-recommends libjpeg-turbo8-dev"), calls());
        assertTrue(run.stderr().contains("installing libjpeg-turbo8-dev with apt-get (as sudo)"), run.stderr());
    }

    @Test
    void ubuntuDerivativesAndDebianGetTheirOwnNames() throws Exception {
        jdk("jdk-17", "17.0.2");
        env.put("STUB_UID", "1000");
        osRelease("ID=linuxmint\nID_LIKE=\"ubuntu debian\"\n");
        assertEquals("su -c 'apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev libjpeg-turbo8-dev'",
                setup("--print-install", "native").stdout().strip());
        osRelease("ID=raspbian\nID_LIKE=debian\n");
        assertEquals("su -c 'apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev libjpeg62-turbo-dev'",
                setup("--print-install", "native").stdout().strip());
        assertEquals(List.of(), calls(), "printing the command installs nothing");
    }

    @Test
    void withoutRootOrSudoPrintsTheOneCommandAndStops() throws Exception {
        jdk("jdk-17", "17.0.15");
        Files.writeString(installed, "libc6-dev\nfonts-dejavu-core\n");
        env.put("STUB_UID", "1000");
        sudo(false);
        Processes.Run run = setup("build");
        assertEquals(1, run.exitCode(), run.all());
        assertTrue(run.stderr().contains("not root and no password-less sudo, so nothing was installed. Run:\n\n"
                + "    sudo apt-get update && sudo apt-get install -y --no-install-recommends gcc libjpeg62-turbo-dev\n"),
                run.stderr());
        assertTrue(run.stderr().contains("then the same command again")
                && run.stderr().contains("Or ALEXNET_NATIVE=skip"), run.stderr());
        assertEquals(List.of("sudo -n true"), calls(), "only asked sudo whether it needs a password");

        Files.delete(bin.resolve("sudo"));
        Processes.Run noSudo = setup("build");
        assertEquals(1, noSudo.exitCode(), noSudo.all());
        assertTrue(noSudo.stderr().contains(
                "    su -c 'apt-get update && apt-get install -y --no-install-recommends gcc libjpeg62-turbo-dev'\n"),
                noSudo.stderr());
    }

    @Test
    void checkModePrintsInsteadOfInstallingEvenAsRoot() throws Exception {
        jdk("jdk-17", "17.0.15");
        env.put("ALEXNET_SETUP", "check");
        Processes.Run run = setup("test");
        assertEquals(1, run.exitCode(), run.all());
        assertTrue(run.stderr().contains("ALEXNET_SETUP=check, so nothing was installed. Run:\n\n    apt-get update && "
                + "apt-get install -y --no-install-recommends fonts-dejavu-core gcc libc6-dev libjpeg62-turbo-dev "
                + "shellcheck\n"), run.stderr());
        assertEquals(List.of(), calls());
    }

    @Test
    void aMissingOrTooOldJdkIsInstalledAndUsed() throws Exception {
        jdk("jdk-11", "11.0.2");
        Files.writeString(installed, "libc6-dev\nlibjpeg62-turbo-dev\nfonts-dejavu-core\n");
        stub("gcc", "exit 0");
        env.put("JAVA_HOME", jvm.resolve("jdk-11").toString());
        Processes.Run run = setup("build");
        assertEquals(0, run.exitCode(), run.all());
        assertEquals(List.of("apt-get update -qq", "apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless"),
                calls());
        assertTrue(run.stderr().contains("openjdk-17-jdk-headless  a JDK 17 (javac) to build and run"), run.stderr());
        assertTrue(run.stderr().contains("alexnet: JDK: " + jvm.resolve("java-17-openjdk-amd64") + ";"), run.stderr());

        // a release without Java 17 (Debian 13) gets 21, which Spark 3.5 also runs on
        Files.writeString(calls, "");
        deleteTree(jvm.resolve("java-17-openjdk-amd64"));
        env.put("STUB_APT_CANDIDATES", "openjdk-21-jdk-headless");
        Processes.Run trixie = setup("run");
        assertEquals(0, trixie.exitCode(), trixie.all());
        assertEquals(List.of("apt-get update -qq", "apt-get install -y -qq --no-install-recommends openjdk-21-jdk-headless"),
                calls());
    }

    @Test
    void aJdk17BesideTheDefaultJavaIsUsedWithoutInstalling() throws Exception {
        jdk("jdk-11", "11.0.2");
        jdk("jdk-25", "25");
        jdk("temurin-17", "17.0.9");
        Files.writeString(installed, "fonts-dejavu-core\n");
        Path javac = bin.resolve("javac");
        Files.createSymbolicLink(javac, jvm.resolve("jdk-25/bin/javac"));
        Processes.Run run = setup("run");
        assertEquals(0, run.exitCode(), run.all());
        assertEquals(List.of(), calls());
        assertTrue(run.stderr().contains("alexnet: JDK: " + jvm.resolve("temurin-17") + ";"), run.stderr());
    }

    @Test
    void aMachineWithEverythingInstallsNothingAndAPortableBuildNeedsNoCompiler() throws Exception {
        jdk("jdk-17", "17.0.15");
        stub("gcc", "exit 0");
        stub("shellcheck", "exit 0");
        stub("mvn", "exit 0");
        Files.writeString(installed, "libc6-dev\nlibjpeg62-turbo-dev\nfonts-dejavu-core\n");
        Processes.Run run = setup("test");
        assertEquals(0, run.exitCode(), run.all());
        assertEquals(List.of(), calls());
        assertEquals("alexnet: JDK: " + jvm.resolve("jdk-17") + "; Maven: " + bin.resolve("mvn") + "; native code: auto",
                run.stderr().strip());

        Files.delete(bin.resolve("gcc"));
        Files.delete(bin.resolve("mvn"));
        Files.writeString(installed, "fonts-dejavu-core\n");
        env.put("ALEXNET_NATIVE", "skip");
        Processes.Run portable = setup("build");
        assertEquals(0, portable.exitCode(), portable.all());
        assertEquals(List.of(), calls());
        assertTrue(portable.stderr().contains("Maven: ./mvnw (no mvn on the PATH; Maven 3.8.7, downloaded on first use)"),
                portable.stderr());
    }

    @Test
    void anotherDistributionGetsAWarningForTheNativeToolchainButMustHaveAJdk() throws Exception {
        osRelease("ID=fedora\nVERSION_ID=40\n");
        Processes.Run noJdk = setup("build");
        assertEquals(1, noJdk.exitCode(), noJdk.all());
        assertTrue(noJdk.stderr().contains("set-up installs packages with apt-get on Debian and Ubuntu only; this is fedora")
                && noJdk.stderr().contains("install a JDK 17 (and set JAVA_HOME)"), noJdk.stderr());
        jdk("jdk-17", "17.0.15");
        Processes.Run run = setup("build");
        assertEquals(0, run.exitCode(), run.all());
        assertTrue(run.stderr().contains("WARNING: going on without them"), run.stderr());
        assertEquals(List.of(), calls());
    }

    @Test
    void theLauncherRunsTheSetUpBeforeTheTestsAndStopsWhenItCannotInstall() throws Exception {
        jdk("jdk-17", "17.0.15");
        env.put("STUB_UID", "1000");
        Processes.Run run = isolated(ROOT.resolve("deploy/alexnet").toString(), "test");
        assertEquals(1, run.exitCode(), run.all());
        assertTrue(run.stderr().contains("su -c 'apt-get update && apt-get install -y --no-install-recommends "
                + "fonts-dejavu-core gcc libc6-dev libjpeg62-turbo-dev shellcheck'"), run.stderr());
        assertFalse(run.all().contains("BUILD"), "Maven never started: " + run.all());
    }

    @Test
    void buildAndCiScriptsPassShellcheck() throws Exception {
        String shellcheck = DeployTemplatesTest.tool("shellcheck");
        Processes.Run sh = Processes.run(List.of(shellcheck, "--shell=sh", "--severity=style",
                ROOT.resolve("build-support/native.sh").toString(),
                ROOT.resolve("model/src/main/native/build.sh").toString(),
                ROOT.resolve("preprocessing/src/main/native/build.sh").toString()), Map.of(), 60);
        assertEquals(0, sh.exitCode(), "shellcheck:\n" + sh.all());
        Processes.Run bash = Processes.run(List.of(shellcheck, "--shell=bash", "--severity=style",
                ROOT.resolve(".ci/run").toString()), Map.of(), 60);
        assertEquals(0, bash.exitCode(), "shellcheck:\n" + bash.all());
    }

    private Processes.Run setup(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("deploy/setup.sh").toString()));
        command.addAll(List.of(args));
        return isolated(command.toArray(String[]::new));
    }

    /** A bash script with only this test's environment (env -i): nothing of the test machine's PATH. */
    private Processes.Run isolated(String... script) throws Exception {
        List<String> command = new ArrayList<>(List.of(DeployTemplatesTest.tool("env"), "-i"));
        env.forEach((k, v) -> command.add(k + "=" + v));
        command.add(DeployTemplatesTest.tool("bash"));
        command.addAll(List.of(script));
        return Processes.run(command, Map.of(), 60);
    }

    private List<String> calls() throws IOException {
        return Files.readAllLines(calls);
    }

    private void osRelease(String text) throws IOException {
        env.put("ALEXNET_OS_RELEASE", Files.writeString(dir.resolve("os-release"), text).toString());
    }

    /** A JDK home under the JVM directory: bin/java, bin/javac and the release file naming its version. */
    private void jdk(String name, String version) throws IOException {
        Path home = Files.createDirectories(jvm.resolve(name).resolve("bin"));
        for (String tool : List.of("java", "javac")) {
            Files.writeString(home.resolve(tool), "#!/bin/sh\n").toFile().setExecutable(true);
        }
        Files.writeString(jvm.resolve(name).resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
    }

    /** sudo that runs the command when it needs no password, else refuses as sudo -n does. */
    private void sudo(boolean passwordless) throws IOException {
        stub("sudo", "echo \"sudo $*\" >> \"$STUB_CALLS\"\n"
                + (passwordless ? "[ \"$1\" = -n ] && shift; exec \"$@\""
                        : "echo 'sudo: a password is required' >&2; exit 1"));
    }

    private void stub(String name, String body) throws IOException {
        Files.writeString(bin.resolve(name), "#!/bin/sh\n" + body + "\n").toFile().setExecutable(true);
    }

    private static void deleteTree(Path p) throws IOException {
        try (var all = Files.walk(p)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
