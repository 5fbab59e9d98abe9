package org.alexnet.spark;

import java.io.Externalizable;
import java.io.File;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.spark.util.AccumulatorV2;

/**
 * The project's main classes (org.alexnet.*, from every module's classes directory or jar on
 * the test classpath), and which of them can cross Spark: the Serializable ones, since a job
 * must also run with Spark's Java serialisation.
 */
final class ProjectClasses {
    private ProjectClasses() {
    }

    /** Concrete, named, Serializable project classes (records, enums and classes), sorted by name. */
    static List<Class<?>> serializable() {
        List<Class<?>> out = new ArrayList<>();
        for (String name : names()) {
            Class<?> c;
            try {
                c = Class.forName(name, false, ProjectClasses.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("project class " + name + " does not load: " + e, e);
            }
            if (Serializable.class.isAssignableFrom(c) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())
                    && !c.isAnonymousClass() && !c.isLocalClass() && !c.isSynthetic()) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Whether Java serialisation of {@code c} runs its own code (Kryo's field copy would bypass it).
     * Accumulators are left out: Spark ships them only with its closure serializer, always Java.
     */
    static boolean hasOwnSerialForm(Class<?> c) {
        if (Externalizable.class.isAssignableFrom(c)) {
            return true;
        }
        for (Class<?> k = c; k != null && k != Object.class && k != AccumulatorV2.class; k = k.getSuperclass()) {
            if (declares(k, "writeObject", ObjectOutputStream.class) || declares(k, "readObject", ObjectInputStream.class)
                    || declares(k, "writeReplace") || declares(k, "readResolve")) {
                return true;
            }
        }
        return false;
    }

    private static boolean declares(Class<?> k, String method, Class<?>... params) {
        try {
            k.getDeclaredMethod(method, params);
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static TreeSet<String> names() {
        TreeSet<String> names = new TreeSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p) && p.endsWith(Path.of("target", "classes"))) {
                try (Stream<Path> files = Files.walk(p)) {
                    files.map(f -> p.relativize(f).toString()).forEach(f -> add(names, f));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else if (entry.endsWith(".jar") && p.getFileName().toString().startsWith("alexnet-")) {
                try (JarFile jar = new JarFile(p.toFile())) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        add(names, e.nextElement().getName());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return names;
    }

    private static void add(TreeSet<String> names, String file) {
        if (file.startsWith("org/alexnet/") && file.endsWith(".class") && !file.endsWith("package-info.class")) {
            names.add(file.substring(0, file.length() - ".class".length()).replace('/', '.'));
        }
    }
}
