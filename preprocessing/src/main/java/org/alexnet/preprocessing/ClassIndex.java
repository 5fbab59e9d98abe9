package org.alexnet.preprocessing;

import java.io.Serializable;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The class index: sorted wnids, 0-based, with human-readable names where a mapping gave them. */
public final class ClassIndex implements Serializable {
    private static final long serialVersionUID = 1L;
    private final List<String> wnids;
    private final Map<String, Integer> indexOf = new HashMap<>();
    private final Map<String, String> names;

    public ClassIndex(Collection<String> wnids, Map<String, String> names) {
        this.wnids = List.copyOf(new TreeSet<>(wnids));
        for (int i = 0; i < this.wnids.size(); i++) indexOf.put(this.wnids.get(i), i);
        this.names = Map.copyOf(names);
    }

    public int size() {
        return wnids.size();
    }

    public List<String> wnids() {
        return wnids;
    }

    /** The index of a wnid, or -1 when it is not a class. */
    public int indexOf(String wnid) {
        return indexOf.getOrDefault(wnid, -1);
    }

    /** The class name, or null when no mapping named it. */
    public String name(String wnid) {
        return names.get(wnid);
    }

    public ClassIndex withNames(Map<String, String> more) {
        Map<String, String> all = new HashMap<>(more);
        all.putAll(names);
        return new ClassIndex(wnids, all);
    }
}
