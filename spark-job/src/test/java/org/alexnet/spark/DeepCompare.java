package org.alexnet.spark;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Structural equality of two deserialised objects: arrays element by element, lists in order,
 * sets and maps by equals, records by component and project classes by field, anything else
 * by equals (so NaN equals NaN). Returns where they first differ, or null.
 */
final class DeepCompare {
    private DeepCompare() {
    }

    static String difference(Object a, Object b) {
        return difference(a, b, "");
    }

    private static String difference(Object a, Object b, String path) {
        if (a == null || b == null) {
            return a == b ? null : path + ": " + a + " vs " + b;
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            if (la.size() != lb.size()) {
                return path + ": list sizes " + la.size() + " vs " + lb.size();
            }
            Iterator<?> ib = lb.iterator();
            int i = 0;
            for (Object ea : la) {
                String d = difference(ea, ib.next(), path + "[" + i++ + "]");
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if ((a instanceof Set<?> && b instanceof Set<?>) || (a instanceof Map<?, ?> && b instanceof Map<?, ?>)) {
            return a.equals(b) ? null : path + ": " + a + " vs " + b;
        }
        if (a.getClass() != b.getClass()) {
            return path + ": class " + a.getClass().getName() + " vs " + b.getClass().getName();
        }
        if (a instanceof org.apache.hadoop.conf.Configuration ca) { // no equals: compare its settings
            return entries(ca).equals(entries((org.apache.hadoop.conf.Configuration) b)) ? null
                    : path + ": Hadoop settings " + entries(ca) + " vs " + entries((org.apache.hadoop.conf.Configuration) b);
        }
        if (a.getClass().isArray()) {
            int n = Array.getLength(a);
            if (n != Array.getLength(b)) {
                return path + ": array lengths " + n + " vs " + Array.getLength(b);
            }
            for (int i = 0; i < n; i++) {
                String d = difference(Array.get(a, i), Array.get(b, i), path + "[" + i + "]");
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (a.getClass().getName().startsWith("org.alexnet.") && !a.getClass().isEnum()) {
            for (Class<?> k = a.getClass(); k != null && k.getName().startsWith("org.alexnet."); k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers())) {
                        continue;
                    }
                    f.setAccessible(true);
                    try {
                        String d = difference(f.get(a), f.get(b), path + "." + f.getName());
                        if (d != null) {
                            return d;
                        }
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            return null;
        }
        return a.equals(b) ? null : path + ": " + a + " vs " + b;
    }

    private static Map<String, String> entries(org.apache.hadoop.conf.Configuration c) {
        Map<String, String> m = new java.util.TreeMap<>();
        c.forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }
}
