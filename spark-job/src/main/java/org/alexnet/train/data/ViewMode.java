package org.alexnet.train.data;

/** What a {@link MinibatchStream} makes of each example. */
public enum ViewMode {
    /** One random crop, flip and lighting per example (training). */
    TRAIN(1),
    /** The centre crop, no augmentation (cheap validation). */
    CENTRE(1),
    /**
     * The paper's test-time views: the 4 corner crops and the centre crop, then the same 5
     * mirrored; average the net's 10 softmax outputs per example.
     */
    TEN_VIEWS(10);

    private final int viewsPerExample;

    ViewMode(int viewsPerExample) {
        this.viewsPerExample = viewsPerExample;
    }

    public int viewsPerExample() {
        return viewsPerExample;
    }
}
