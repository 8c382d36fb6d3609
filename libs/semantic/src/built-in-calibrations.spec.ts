import { SENTENCE_ENCODER_MODEL } from '@strata/embedding';
import { loadWordNet, loadWordVectors } from '@strata/embedding-local';
import { builtInCalibration } from './built-in-calibrations';
import { calibrationFileSchema } from './model-calibration';
import { SemanticVerifier } from './semantic-verifier';

describe(builtInCalibration.name, () => {
  it('ships one for the sentence encoder, valid as a calibration file entry, and none for other models', () => {
    const own = builtInCalibration(SENTENCE_ENCODER_MODEL);
    expect(own).toBeDefined();
    expect(calibrationFileSchema.parse({ version: 1, models: { [SENTENCE_ENCODER_MODEL]: own } })).toBeTruthy();
    const { strict, balanced, lenient } = own!.thresholds;
    expect(strict).toBeGreaterThan(balanced);
    expect(balanced).toBeGreaterThan(lenient);
    expect(builtInCalibration('glove-wiki-100d')).toBeUndefined();
    expect(builtInCalibration('text-embedding-3-small')).toBeUndefined();
    expect(builtInCalibration('__proto__')).toBeUndefined();
  });

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
