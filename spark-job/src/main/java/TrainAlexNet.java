/**
 * Entry point for {@code spark-submit --class TrainAlexNet}: hands over to
 * {@link org.alexnet.train.TrainAlexNet}.
 */
public final class TrainAlexNet {
    private TrainAlexNet() {
    }

    public static void main(String[] args) {
        org.alexnet.train.TrainAlexNet.main(args);
    }
}
