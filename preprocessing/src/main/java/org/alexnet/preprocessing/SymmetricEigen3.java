package org.alexnet.preprocessing;

/**
 * Eigen-decomposition of a symmetric 3x3 matrix by cyclic Jacobi rotations (exact to rounding,
 * deterministic). Eigenvalues descending; eigenvectors as columns of a row-major 3x3 matrix, each
 * signed so that its largest-magnitude component is positive (eigenvector signs are arbitrary;
 * this makes them reproducible).
 */
record SymmetricEigen3(double[] values, double[] vectors) {

    static SymmetricEigen3 of(double[] symmetricRowMajor) {
        double[][] a = new double[3][3];
        double[][] v = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) a[i][j] = symmetricRowMajor[i * 3 + j];
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
            if (off == 0 || off < 1e-30 * (a[0][0] * a[0][0] + a[1][1] * a[1][1] + a[2][2] * a[2][2])) break;
            for (int p = 0; p < 2; p++) {
                for (int q = p + 1; q < 3; q++) {
                    if (a[p][q] == 0) continue;
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < 3; k++) {          // A <- A J (columns p, q)
                        double akp = a[k][p], akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < 3; k++) {          // A <- J^T A (rows p, q)
                        double apk = a[p][k], aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < 3; k++) {          // V <- V J
                        double vkp = v[k][p], vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        Integer[] order = {0, 1, 2};
        java.util.Arrays.sort(order, (x, y) -> Double.compare(a[y][y], a[x][x]));
        double[] values = new double[3];
        double[] vectors = new double[9];
        for (int col = 0; col < 3; col++) {
            int src = order[col];
            values[col] = a[src][src];
            int biggest = 0;
            for (int k = 1; k < 3; k++) if (Math.abs(v[k][src]) > Math.abs(v[biggest][src])) biggest = k;
            double sign = v[biggest][src] < 0 ? -1 : 1;
            for (int k = 0; k < 3; k++) vectors[k * 3 + col] = sign * v[k][src];
        }
        return new SymmetricEigen3(values, vectors);
    }
}
