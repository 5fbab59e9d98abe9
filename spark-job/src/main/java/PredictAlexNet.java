/**
 * {@code spark-submit --class PredictAlexNet <shaded jar> --model DIR --input PATH --output DIR
 * [--ten-crop] [--features]}: the short name for {@link org.alexnet.predict.PredictAlexNet}.
 */
public final class PredictAlexNet {
    private PredictAlexNet() {
    }

    public static void main(String[] args) {
        org.alexnet.predict.PredictAlexNet.main(args);
    }
}
