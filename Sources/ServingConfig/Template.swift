extension ServingConfiguration {
    /// The `config.yaml` that `cluster-serving init` writes: the flat generation's keys, as in the original's
    /// template, then this server's own keys. Every key has a one-line comment with its default.
    public static var commentedTemplate: String {
        #"""
        ## Cluster Serving configuration
        ## Keys are case-insensitive. A key left empty takes the default named in its comment.
        ## Relative paths are relative to the directory of this file.

        # Directory holding the model to serve (one model per directory). Required.
        modelPath: models/digits
        # Format of the model, when detection by file name is not wanted: ONNX, OpenVINO, tf.frozenModel,
        # tf.savedModel, Caffe or BigDL. Default: from the file names (*.onnx, *.xml, *.pb, *.caffemodel, *.model).
        modelType:
        # Signature of a TensorFlow SavedModel to serve. Default serving_default.
        modelSignature:
        # Name of the input stream; results are stored as cluster-serving_<jobName>:<uri>. Default serving_stream.
        jobName: serving_stream
        # Filter applied to each result: topN(n) or pickTopN(n). Default: none, results are returned as tensors.
        postProcessing:
        # Resize images to "width,height" before inference, e.g. 224,224 (the first number is the width). Default: no resizing.
        imageResize:
        # true when clients send inputs that already have their batch dimension. Default false.
        inputAlreadyBatched: false

        ## Inference engine
        # CPU cores to use on this machine; -1 uses all of them. Default -1.
        coreNumberPerMachine: -1
        # Number of model copies predicting in parallel. Default: with neither this nor threadPerModel set, one
        # single-threaded copy per core (an OpenVINO model: one copy using every core), as the original.
        modelParallelism:
        # Threads per model copy. Default: the cores divided by the number of copies.
        threadPerModel:

        ## Queue: the built-in Redis-compatible server
        # Host and port of the queue, host:port; the server listens on this port. Default localhost:6379.
        redisUrl: localhost:6379
        # Memory limit of the queue in Redis units (4gb = 4 GiB, 4g = 4 000 000 000 bytes); 0 means no limit. Default 4gb.
        redisMaxMemory: 4gb
        # Timeout of queue connections, in milliseconds; 0 means none. Default 5000.
        redisTimeout: 5000
        # Use TLS for queue connections. Default false.
        redisSecureEnabled: false
        # Path of the TLS trust store (JKS). Default: none.
        redisSecureTrustStorePath:
        # Password of the TLS trust store. Default: none.
        redisSecureTrustStorePassword:

        ## Options of this server (not in the original)
        # Most records predicted together in one batch, 1 to 4096. Default 4.
        batchSize: 4
        # Milliseconds a partial batch waits for more records, 0 to 10000. Default 2.
        batchWindow: 2
        # Directory where the queue keeps its data. Default cluster-serving-data.
        storeDir: cluster-serving-data
        # When the queue flushes its data to disk: always, everysec or no (as Redis appendfsync). Default everysec.
        appendfsync: everysec
        # Address(es) the queue accepts connections on. Default 127.0.0.1 (this machine only).
        bind: 127.0.0.1
        # Password clients must send with AUTH. Default: none.
        requirepass:
        # Write records that failed to the error log. Default true.
        logErrors: true
        # Log throughput summaries. Default false.
        logSummary: false
        # Log of the serving job. Default cluster-serving.log.
        servingLog: cluster-serving.log
        # Log of records that failed. Default cluster-serving-error.log.
        errorLog: cluster-serving-error.log
        # Log of the queue server. Default redis.log.
        storeLog: redis.log

        ## HTTP frontend, started with the job: POST /predict, /metrics, /models, KServe v2 (/v2/...) and
        ## TF Serving (/v1/models/...).
        # The frontend's options, by the original frontend's names; uncomment to change.
        frontend:
          # Serve HTTP at all. Default true.
          # enabled: true
          # Address and port. Default 0.0.0.0:10020.
          # interface: 0.0.0.0
          # port: 10020
          # Requests in flight at most; more get 503. Default 1000.
          # parallelism: 1000
          # Milliseconds a prediction waits for its results before 504. Default 10000.
          # predictTimeout: 10000
          # Write the inputs of concurrent requests together: after timeWindow ms or countWindow inputs. Default 0, 56.
          # timeWindow: 0
          # countWindow: 56
          # Rate limit: tokensPerSecond requests a second, each waiting at most tokenAcquireTimeout ms. Default off.
          # tokenBucketEnabled: false
          # tokensPerSecond: 100
          # tokenAcquireTimeout: 100
          # HTTPS on securePort with PEM files, beside HTTP. Default off.
          # httpsEnabled: false
          # securePort: 10023
          # httpsCertificatePath: cert.pem
          # httpsKeyPath: key.pem
          # Require "Authorization: Bearer <token>" (but on / and the health checks). Default: none.
          # bearerToken:

        """#
    }
}
