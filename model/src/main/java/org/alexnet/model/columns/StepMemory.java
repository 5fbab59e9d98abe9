package org.alexnet.model.columns;

import java.util.concurrent.Callable;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.MirroringPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The memory of one column's step (activations, gradients, temporaries): an ND4J workspace of
 * the column's thread, sized by the first step, then reused. Without it every step allocates
 * ~1 GB of fresh off-heap buffers that only a garbage collection returns, and the page faults on
 * them cost more than some layers. What must outlive the step is copied out of it (see
 * {@link Exchange}, and {@code detach()} of inference outputs).
 */
final class StepMemory {
    private static final WorkspaceConfiguration CONFIGURATION = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .overallocationLimit(0.1)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyMirroring(MirroringPolicy.FULL)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();
    private static final String NAME = "alexnet-column-step";

    private StepMemory() {
    }

    /**
     * Runs one column's share of a step on the calling (column) thread with every array in that
     * thread's step workspace; then drops what the column's layers kept for their backward pass.
     */
    static <T> T run(Column column, Callable<T> step) throws Exception {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIGURATION, NAME)) {
            return step.call();
        } finally {
            column.clear();
        }
    }
}
