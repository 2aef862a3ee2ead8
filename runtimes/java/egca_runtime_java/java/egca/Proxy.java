package egca;

/** The base of the harness's stub classes: an object of the program that lives in the
 *  candidate's process, named by its handle there. Equality is identity: nothing the
 *  program says about equality ever runs in the harness. */
public abstract class Proxy {
    public final int egca$handle;

    /** A stub constructor: the candidate constructs the real object. */
    protected Proxy(String cls, String[] params, Object[] args) {
        this.egca$handle = Harness.construct(cls, params, args);
    }

    /** An object the candidate returned. */
    protected Proxy(Handle h) {
        this.egca$handle = h.id;
    }

    public static final class Handle {
        final int id;
        Handle(int id) { this.id = id; }
    }

    @Override public final boolean equals(Object o) { return this == o; }
    @Override public final int hashCode() { return System.identityHashCode(this); }
    @Override public String toString() { return getClass().getSimpleName() + "@" + egca$handle; }
}
