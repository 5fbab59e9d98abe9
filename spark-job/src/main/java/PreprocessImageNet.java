/**
 * {@code spark-submit --class PreprocessImageNet <shaded jar> --input DIR --output DIR [options]}:
 * the short name for {@link org.alexnet.preprocessing.PreprocessImageNet}.
 */
public final class PreprocessImageNet {
    private PreprocessImageNet() {
    }

    public static void main(String[] args) {
        org.alexnet.preprocessing.PreprocessImageNet.main(args);
    }
}
