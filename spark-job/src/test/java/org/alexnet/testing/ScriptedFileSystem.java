package org.alexnet.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Abortable;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * A real Hadoop FileSystem over the local disk (scheme {@value #SCHEME}) whose behaviour tests
 * script, to prove what publishing survives:
 * <ul>
 * <li>its rename COPIES the file and then deletes the source, in steps, as object stores do
 *     (never atomic);</li>
 * <li>{@link #objectStore(boolean) object-store mode}: a file written at its name appears only
 *     when its stream is closed, and an aborted stream leaves nothing (S3A's uploads);</li>
 * <li>{@link #crashAt(long) crash}: the n-th operation (create, each 64 KiB written, close,
 *     each 64 KiB step of a rename, delete) throws {@link Crash}, and so does every later one, as if the
 *     process had died there: no cleanup takes effect;</li>
 * <li>{@link #failWrites(Predicate, Set) failed writes}: chosen writes of matching files fail
 *     with an IOException after some bytes, as a full disk does.</li>
 * </ul>
 * The script is static (Hadoop instantiates file systems itself); {@link #reset()} between tests.
 */
public class ScriptedFileSystem extends RawLocalFileSystem {
    public static final String SCHEME = "scripted";
    private static final int COPY_STEP = 64 << 10;

    private static volatile boolean objectStore;
    private static final AtomicLong countdown = new AtomicLong(Long.MAX_VALUE);
    private static final AtomicLong operations = new AtomicLong();
    private static volatile boolean dead;
    private static volatile Predicate<Path> failing = p -> false;
    private static volatile Set<Integer> failingWrites = Set.of();
    private static final AtomicInteger matchingWrites = new AtomicInteger();

    /** The simulated death of the process. */
    public static final class Crash extends Error {
        Crash() {
            super("simulated crash");
        }
    }

    /** Registers the scheme in a Hadoop configuration (file systems of the scheme are not cached). */
    public static Configuration register(Configuration conf) {
        conf.set("fs." + SCHEME + ".impl", ScriptedFileSystem.class.getName());
        conf.setBoolean("fs." + SCHEME + ".impl.disable.cache", true);
        return conf;
    }

    /** A local path as this file system's path. */
    public static Path path(java.nio.file.Path local) {
        return new Path(SCHEME + "://" + local.toAbsolutePath());
    }

    /** Plain behaviour: copying renames, no crash, no failures, not an object store. */
    public static void reset() {
        objectStore = false;
        countdown.set(Long.MAX_VALUE);
        operations.set(0);
        dead = false;
        failing = p -> false;
        failingWrites = Set.of();
        matchingWrites.set(0);
    }

    public static void objectStore(boolean on) {
        objectStore = on;
    }

    /** The n-th operation from now (1-based) crashes the "process". */
    public static void crashAt(long n) {
        operations.set(0);
        countdown.set(n);
    }

    /** Operations counted since the last {@link #crashAt} or {@link #reset}. */
    public static long operations() {
        return operations.get();
    }

    /** The given occurrences (1-based) of writes to files whose target matches fail after 4 KiB. */
    public static void failWrites(Predicate<Path> matching, Set<Integer> occurrences) {
        failing = matching;
        failingWrites = Set.copyOf(occurrences);
        matchingWrites.set(0);
    }

    private static void operation() {
        operations.incrementAndGet();
        if (dead || countdown.decrementAndGet() <= 0) {
            dead = true;
            throw new Crash();
        }
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public void initialize(URI uri, Configuration conf) throws IOException {
        super.initialize(getUri(), conf);
    }

    @Override
    public boolean hasPathCapability(Path path, String capability) throws IOException {
        return capability.equals(CommonPathCapabilities.ABORTABLE_STREAM) ? objectStore
                : super.hasPathCapability(path, capability);
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                                     short replication, long blockSize, Progressable progress) throws IOException {
        return create(f, overwrite, bufferSize, replication, blockSize, progress);
    }

    @Override
    public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
                                     Progressable progress) throws IOException {
        operation();
        boolean fails = failing.test(f) && failingWrites.contains(matchingWrites.incrementAndGet());
        java.nio.file.Path target = pathToFile(f).toPath();
        if (!overwrite && Files.exists(target)) {
            throw new org.apache.hadoop.fs.FileAlreadyExistsException(f + " exists");
        }
        Files.createDirectories(target.getParent());
        if (objectStore) {
            // beside the target (one file system for the final move) under a name no reader lists
            java.nio.file.Path upload = target.resolveSibling(".upload-" + UUID.randomUUID());
            return new FSDataOutputStream(new Upload(upload, target, fails), statistics);
        }
        return new FSDataOutputStream(new Scripted(Files.newOutputStream(target), fails), statistics);
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        operation();
        java.nio.file.Path from = pathToFile(src).toPath();
        java.nio.file.Path to = pathToFile(dst).toPath();
        if (!Files.isRegularFile(from)) {
            return super.rename(src, dst);
        }
        try (InputStream in = Files.newInputStream(from); OutputStream out = Files.newOutputStream(to)) {
            byte[] step = new byte[COPY_STEP];
            for (int n = in.read(step); n >= 0; n = in.read(step)) {
                operation();
                out.write(step, 0, n);
                out.flush();
            }
        }
        operation();
        Files.delete(from);
        return true;
    }

    @Override
    public boolean delete(Path p, boolean recursive) throws IOException {
        operation();
        return super.delete(p, recursive);
    }

    /** A write at the file's name: every call is an operation; may fail like a full disk. */
    private static class Scripted extends OutputStream {
        private final OutputStream out;
        private final boolean fails;
        private long written;

        Scripted(OutputStream out, boolean fails) {
            this.out = out;
            this.fails = fails;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        /** Each 64 KiB reaching the disk is one operation (a crash there keeps what came before). */
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = (int) Math.min(len, COPY_STEP - written % COPY_STEP);
                if (written % COPY_STEP == 0) {
                    operation();
                }
                if (fails && written + n > 4096) {
                    throw new IOException("No space left on device (injected)");
                }
                out.write(b, off, n);
                out.flush();
                written += n;
                off += n;
                len -= n;
            }
        }

        @Override
        public void close() throws IOException {
            operation();
            out.close();
        }
    }

    /** S3A-like: bytes go to a private upload that appears at the target only on close; abort discards it. */
    private static final class Upload extends Scripted implements Abortable {
        private final java.nio.file.Path upload;
        private final java.nio.file.Path target;
        private boolean aborted;

        Upload(java.nio.file.Path upload, java.nio.file.Path target, boolean fails) throws IOException {
            super(Files.newOutputStream(upload), fails);
            this.upload = upload;
            this.target = target;
        }

        @Override
        public void close() throws IOException {
            super.close();
            if (!aborted) {
                Files.move(upload, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.deleteIfExists(upload);
        }

        @Override
        public AbortableResult abort() {
            aborted = true;
            return new AbortableResult() {
                @Override
                public boolean alreadyClosed() {
                    return false;
                }

                @Override
                public IOException anyCleanupException() {
                    return null;
                }
            };
        }
    }
}
