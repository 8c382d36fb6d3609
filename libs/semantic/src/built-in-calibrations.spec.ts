import { PRECISION_THRESHOLDS } from '@strata/cache-core';
import { LOCAL_EMBEDDING_MODEL, SENTENCE_ENCODER_MODEL } from '@strata/embedding';
import { LocalEmbeddingProvider, loadWordNet, loadWordVectors } from '@strata/embedding-local';
import { builtInCalibration } from './built-in-calibrations';
import { CALIBRATION, LOCAL_MIN_COSINE } from './calibration';
import { calibrationFileSchema } from './model-calibration';
import { SemanticVerifier } from './semantic-verifier';

describe(builtInCalibration.name, () => {
  it.each([SENTENCE_ENCODER_MODEL, LOCAL_EMBEDDING_MODEL])(
    'ships one for the local model %s, valid as a calibration file entry',
    (model) => {
      const own = builtInCalibration(model);
      expect(own?.model).toBe(model);
      expect(calibrationFileSchema.parse({ version: 1, models: { [model]: own } })).toBeTruthy();
      const { strict, balanced, lenient } = own!.thresholds;
      expect(strict).toBeGreaterThan(balanced);
      expect(balanced).toBeGreaterThan(lenient);
    },
  );

  it('ships none for other models', () => {
    expect(builtInCalibration('text-embedding-3-small')).toBeUndefined();
    expect(builtInCalibration('__proto__')).toBeUndefined();
  });

  it("gives the GloVe model the verifier's own weights, the presets' thresholds and the local cosine floor", () => {
    expect(builtInCalibration(LOCAL_EMBEDDING_MODEL)).toMatchObject({
      calibration: CALIBRATION,
      thresholds: { strict: 1, balanced: 0.94, lenient: 0.81 },
      minCosine: LOCAL_MIN_COSINE,
    });
    expect(builtInCalibration(LOCAL_EMBEDDING_MODEL)!.thresholds).toEqual(PRECISION_THRESHOLDS);
  });

  /** The GloVe model's calibration changes nothing the verifier decides: it is what the verifier uses without one. */
  it('decides with the GloVe model as the verifier does without a calibration', async () => {
    const [vectors, wordNet, provider] = await Promise.all([
      loadWordVectors(),
      loadWordNet(),
      LocalEmbeddingProvider.load(),
    ]);
    const bare = SemanticVerifier.create(vectors, wordNet, { embeddingModel: LOCAL_EMBEDDING_MODEL });
    const calibrated = SemanticVerifier.create(vectors, wordNet, {
      embeddingModel: LOCAL_EMBEDDING_MODEL,
      calibration: builtInCalibration(LOCAL_EMBEDDING_MODEL)!,
    });
    expect(calibrated.defaultThreshold).toBe(bare.defaultThreshold);
    for (const [query, candidate] of [
      ['How do I reset my password?', 'How can I reset my password?'],
      ['What is the best way to learn a new language?', 'What is the best way to learn new languages?'],
      ['How do I learn Java?', 'How do I learn Python?'],
      ['Can I pay by invoice?', 'Can I pay by an invoice?'],
    ]) {
      const q = provider.embedOne(query);
      const c = provider.embedOne(candidate);
      const cosine = q.reduce((sum, x, i) => sum + x * c[i], 0);
      expect(calibrated.explain(query, candidate, cosine, bare.defaultThreshold)).toEqual(
        bare.explain(query, candidate, cosine, bare.defaultThreshold),
      );
    }
  }, 120_000);

  /**
   * The verifier with the sentence encoder's calibration, given the encoder's cosine as the vector index
   * would score the candidate (the cosines are the encoder's, measured once: a unit test needs no model).
   */
  describe('with the sentence encoder', () => {
    let verifier: SemanticVerifier;
    beforeAll(async () => {
      const [vectors, wordNet] = await Promise.all([loadWordVectors(), loadWordNet()]);
      verifier = SemanticVerifier.create(vectors, wordNet, {
        embeddingModel: SENTENCE_ENCODER_MODEL,
        calibration: builtInCalibration(SENTENCE_ENCODER_MODEL)!,
      });
    }, 120_000);

    it('takes its balanced threshold as the default', () => {
      expect(verifier.defaultThreshold).toBe(builtInCalibration(SENTENCE_ENCODER_MODEL)!.thresholds.balanced);
    });

    it('accepts a heavy rewording the encoder scores close', () => {
      const verdict = verifier.verify(
        'Datasets provide a means to access and distribute data for computer vision, audio, and NLP applications.',
        'Datasets are a platform to access and share datasets for computer vision, audio, and NLP tasks.',
        0.946,
        verifier.defaultThreshold,
      );
      expect(verdict).toMatchObject({ accepted: true, reason: 'match' });
    });

    it('keeps a light rewording the encoder scores lower, through the local verdict', () => {
      // The encoder alone: 0.904 → similarity ~0.86, a miss; the same words in order say otherwise.
      const verdict = verifier.verify(
        'can i pay by an invoice',
        'Can I pay by invoice?',
        0.904,
        verifier.defaultThreshold,
      );
      expect(verdict.accepted).toBe(true);
      expect(verdict.similarity).toBeLessThan(1);
    });

    it('rejects one changed content word although the encoder scores it close', () => {
      const verdict = verifier.explain(
        'Which question does the upstream refuse?',
        'Which question does the upstream answer?',
        0.944,
        verifier.defaultThreshold,
      );
      expect(verdict.accepted).toBe(false);
      expect(verdict.features?.oneWordChanged).toBe(1);
      // A synonym is not a changed word.
      const synonym = verifier.explain('How do I sell my automobile?', 'How do I sell my car?', 0.9, 2);
      expect(synonym.features?.oneWordChanged).toBe(0);
    });

    it('still vetoes what every model must not serve', () => {
      expect(
        verifier.verify('What time does the store open?', 'What time does the store close?', 0.977, 0.5),
      ).toMatchObject({ accepted: false, similarity: 0 });
    });
  });
});
